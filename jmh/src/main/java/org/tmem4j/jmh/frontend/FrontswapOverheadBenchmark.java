package org.tmem4j.jmh.frontend;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;

/**
 * The frontswap frontend's own cost per store and per load, with the engine taken out: the area sits in front of
 * a backend that accepts every page and answers every get at once without touching the bytes. What remains is the
 * slot lock, the bitmaps, the counters and the calls through the registry's binding. Set against
 * {@link FrontswapBenchmark}'s engine-alone times it gives the overhead with far smaller error bars than the
 * difference of two engine-sized numbers on a busy machine.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class FrontswapOverheadBenchmark
{
    private static final int SLOTS = 1024;

    /** Takes every page and answers every get, doing no work: only the frontend is left to measure. */
    static final class WorklessBackend implements Backend
    {
        private int pools;

        @Override
        public String name()
        {
            return "workless";
        }

        @Override
        public int createEphemeralPool(final int pageSize)
        {
            return pools++;
        }

        @Override
        public int createSharedEphemeralPool(final long uuidHi, final long uuidLo, final int pageSize)
        {
            return pools++;
        }

        @Override
        public int createPersistentPool(final int pageSize)
        {
            return pools++;
        }

        @Override
        public void destroyPool(final int pool)
        {
        }

        @Override
        public int put(final int pool, final long a, final long b, final long c, final int index,
            final MemorySegment page)
        {
            return STORED;
        }

        @Override
        public boolean get(final int pool, final long a, final long b, final long c, final int index,
            final MemorySegment dst)
        {
            return true;
        }

        @Override
        public boolean invalidatePage(final int pool, final long a, final long b, final long c, final int index)
        {
            return true;
        }

        @Override
        public int invalidateObject(final int pool, final long a, final long b, final long c)
        {
            return 0;
        }
    }

    private final Arena arena = Arena.ofShared();
    private MemorySegment page;
    private BackendRegistry registry;
    private Frontswap frontswap;
    private SwapArea area;
    private Path swapFile;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        page = arena.allocate(SwapArea.PAGE_SIZE);
        registry = new BackendRegistry();
        frontswap = Frontswap.create(registry, FrontendsConfig.defaults());
        swapFile = Files.createTempFile("tmem4j-frontswap-overhead", ".swap");
        area = frontswap.swapOn(swapFile, SLOTS);
        registry.register(new WorklessBackend());
        for (int i = 0; i < SLOTS; i++)
        {
            area.store(area.allocateSlot(), page);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        frontswap.close();
        registry.unregister();
        arena.close();
        Files.deleteIfExists(swapFile);
    }

    private int nextSlot()
    {
        final int i = next;
        next = (i + 1) & (SLOTS - 1);
        return i;
    }

    /** A store through the frontend into a backend that does nothing. */
    @Benchmark
    public boolean store()
    {
        return area.store(nextSlot(), page);
    }

    /** A load through the frontend from a backend that does nothing. */
    @Benchmark
    public boolean load()
    {
        return area.load(nextSlot(), page);
    }
}
