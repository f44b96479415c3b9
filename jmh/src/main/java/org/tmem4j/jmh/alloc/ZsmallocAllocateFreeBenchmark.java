package org.tmem4j.jmh.alloc;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.zsmalloc.ClassLayout;
import org.tmem4j.zsmalloc.Zsmalloc;

/**
 * zsmalloc allocate + free of compressed-page-sized objects (~1.6 KiB, normally spread ±300 bytes, so several size
 * classes take turns), on a pool already holding 20,000 such objects, and 5,000 more allocated by each benchmark
 * thread (so that each CPU's shard holds some), so zspages neither start nor empty on every call. Goals: at least 5 M allocate+free pairs per second per thread, and two threads at least 1.8 times one. The
 * default layout (eighth-page chunks) is compared with quarter-page chunks and with whole pages, and one lock per
 * class with two shards per class (one per CPU on two cores: the default there).
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ZsmallocAllocateFreeBenchmark
{
    /** Objects each benchmark thread allocates (and keeps) before measuring. */
    static final int OWN_OBJECTS = 5_000;

    /** The allocator, pre-filled, shared by the benchmark threads. */
    @State(Scope.Benchmark)
    public static class Pool
    {
        /** Class layout: step x max pages per zspage x chunk size (the first is the default). */
        @Param({"16x64x512", "32x64x1024", "64x64x4096"})
        String layout;

        /** Shards per size class (1 is one lock per class; the default is one per CPU, up to 8). */
        @Param({"1", "2"})
        int shards;

        PageMemory memory;
        Zsmalloc allocator;

        @Setup(Level.Trial)
        public void setUp()
        {
            final String[] parts = layout.split("x");
            memory = PageMemory.withBudget(512L << 20);
            allocator = Zsmalloc.builder(memory).layout(ClassLayout.of(Integer.parseInt(parts[0]),
                Integer.parseInt(parts[1]), Integer.parseInt(parts[2]))).shardsPerClass(shards).build();
            final int[] sizes = Sizes.compressedPages(20_000, 1);
            for (final int size : sizes)
            {
                allocator.allocate(size);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            allocator.close();
            memory.close();
        }
    }

    /** Each thread's own sequence of sizes, and objects of its own in the pool. */
    @State(Scope.Thread)
    public static class Cursor
    {
        int[] sizes;
        int next;

        /**
         * Allocates {@value #OWN_OBJECTS} objects from the benchmark thread itself: the pool's objects were all
         * allocated by the setup thread, so with a shard per CPU the other CPUs' shards would be empty, and a thread
         * there would open and empty a zspage on every call (what the 20,000 objects are there to avoid), which is
         * not the steady state of a pool whose threads all store.
         *
         * @param pool the shared allocator.
         */
        @Setup(Level.Trial)
        public void setUp(final Pool pool)
        {
            sizes = Sizes.compressedPages(4096, new SplittableRandom().nextLong());
            for (int i = 0; i < OWN_OBJECTS; i++)
            {
                pool.allocator.allocate(sizes[i & (sizes.length - 1)]);
            }
        }

        int nextSize()
        {
            final int size = sizes[next];
            next = (next + 1) & (sizes.length - 1);
            return size;
        }
    }

    /** One allocate and one free: one thread. */
    @Benchmark
    @Threads(1)
    public long allocateFree1Thread(final Pool pool, final Cursor cursor)
    {
        final long handle = pool.allocator.allocate(cursor.nextSize());
        pool.allocator.free(handle);
        return handle;
    }

    /** One allocate and one free: two threads on one allocator. */
    @Benchmark
    @Threads(2)
    public long allocateFree2Threads(final Pool pool, final Cursor cursor)
    {
        final long handle = pool.allocator.allocate(cursor.nextSize());
        pool.allocator.free(handle);
        return handle;
    }
}
