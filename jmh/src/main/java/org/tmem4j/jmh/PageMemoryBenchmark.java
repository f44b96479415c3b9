package org.tmem4j.jmh;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.tmem4j.memory.PageMemory;

/**
 * Page memory: the cost of taking and giving back a page (which must be far below compressing one, ~5 µs), and
 * whether mapping slabs with {@code mmap} + {@code MADV_HUGEPAGE} pays against {@code Arena.allocate}: the time to
 * map and first-touch 64 MiB of pages, and random 8-byte loads over them.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PageMemoryBenchmark
{
    /** Slab source under test. */
    public enum Source
    {
        MMAP_HUGE, MMAP, ARENA
    }

    private static PageMemory memory(final Source source, final long budget)
    {
        return PageMemory.builder().budgetBytes(budget).mmap(source != Source.ARENA)
            .hugePages(source == Source.MMAP_HUGE).build();
    }

    /** Shared page memory for the acquire+release benchmark. */
    @State(Scope.Benchmark)
    public static class Shared
    {
        PageMemory memory;

        @Setup(Level.Trial)
        public void setUp()
        {
            memory = PageMemory.withBudget(64L << 20);
            // keep one page held so the slab is never released inside the measurement
            memory.allocate();
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            memory.close();
        }
    }

    /** A page acquired and released: one thread. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(1)
    public int acquireRelease1Thread(final Shared shared)
    {
        final int page = shared.memory.allocate();
        shared.memory.free(page);
        return page;
    }

    /** A page acquired and released: two threads on one page memory. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(2)
    public int acquireRelease2Threads(final Shared shared)
    {
        final int page = shared.memory.allocate();
        shared.memory.free(page);
        return page;
    }

    /** 64 MiB mapped and touched, per slab source. */
    @State(Scope.Thread)
    public static class Fresh
    {
        @Param({"MMAP_HUGE", "MMAP", "ARENA"})
        public Source source;
    }

    private static final int TOUCH_PAGES = 16384;

    /** Time to obtain and first-touch 64 MiB of pages (a cold engine filling up). */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 8)
    public long mapAndTouch64MiB(final Fresh fresh)
    {
        long sum = 0;
        try (PageMemory memory = memory(fresh.source, 64L << 20))
        {
            for (int i = 0; i < TOUCH_PAGES; i++)
            {
                final int page = memory.allocate();
                final MemorySegment slab = memory.segment(page);
                slab.set(ValueLayout.JAVA_LONG, memory.offset(page), i);
                sum += page;
            }
        }
        return sum;
    }

    /** 256 MiB of touched pages for random loads. */
    @State(Scope.Thread)
    public static class Touched
    {
        @Param({"MMAP_HUGE", "MMAP", "ARENA"})
        public Source source;
        PageMemory memory;
        int[] pages;
        long cursor = 1;

        @Setup(Level.Trial)
        public void setUp()
        {
            memory = memory(source, 256L << 20);
            pages = new int[(int)((256L << 20) / PageMemory.PAGE_SIZE)];
            for (int i = 0; i < pages.length; i++)
            {
                pages[i] = memory.allocate();
                memory.segment(pages[i]).set(ValueLayout.JAVA_LONG, memory.offset(pages[i]), i);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            memory.close();
        }
    }

    /** Random 8-byte loads over 256 MiB: TLB reach, where huge pages should help. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(1024)
    public long randomLoads(final Touched touched)
    {
        long x = touched.cursor;
        long sum = 0;
        final int[] pages = touched.pages;
        final PageMemory memory = touched.memory;
        for (int i = 0; i < 1024; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            final int page = pages[(int)((x >>> 1) % pages.length)];
            sum += memory.segment(page).get(ValueLayout.JAVA_LONG, memory.offset(page) + ((x >>> 40) & 511) * 8);
        }
        touched.cursor = x;
        return sum;
    }
}
