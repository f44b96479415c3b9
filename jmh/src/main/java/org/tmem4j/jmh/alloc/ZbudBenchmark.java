package org.tmem4j.jmh.alloc;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.zbud.ZbudAllocator;

/**
 * zbud's metadata cost: allocate+free pairs per second per thread (goal ≥ 5 M/s), with the sizes of real
 * compressed pages (the first pages of the JDK's {@code lib/modules}, LZ4 fast), on a pool already holding
 * thousands of objects so best fit has holes of every size to choose from.
 * <ul>
 *   <li>{@code allocateFree}: an object allocated and freed at once; its page stays, so the page memory is
 *   not involved: the cost of best fit, the budlists, the shard lock and handle checks.</li>
 *   <li>{@code churn}: each thread frees its oldest object and allocates a new one (a ring of live objects), so
 *   pages empty and are taken from and given back to the page memory as in a steady-state cache.</li>
 * </ul>
 * Results are in pairs per microsecond (= millions per second) per benchmark; JMH sums threads, so divide the
 * 2-thread score by 2 for the per-thread rate.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ZbudBenchmark
{
    private static final int SIZES = 4096;
    private static final int BACKGROUND_OBJECTS = 8192;
    private static final int RING = 2048;

    /** LZ4-compressed sizes of the first pages of lib/modules that fit a page. */
    static int[] compressedSizes(final int count) throws IOException
    {
        final LZ4Compressor compressor = LZ4Factory.nativeInstance().fastCompressor();
        final byte[] page = new byte[PageMemory.PAGE_SIZE];
        final byte[] out = new byte[compressor.maxCompressedLength(PageMemory.PAGE_SIZE)];
        final int[] sizes = new int[count];
        final Path modules = Path.of(System.getProperty("java.home"), "lib", "modules");
        try (RandomAccessFile file = new RandomAccessFile(modules.toFile(), "r"))
        {
            int n = 0;
            while (n < count)
            {
                file.readFully(page);
                final int length = compressor.compress(page, 0, page.length, out, 0, out.length);
                if (length <= PageMemory.PAGE_SIZE)
                {
                    sizes[n++] = length;
                }
            }
        }
        return sizes;
    }

    /** One allocator shared by all threads, pre-filled. */
    @State(Scope.Benchmark)
    public static class Pool
    {
        PageMemory memory;
        ZbudAllocator allocator;
        int[] sizes;

        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            sizes = compressedSizes(SIZES);
            memory = PageMemory.withBudget(256L << 20);
            allocator = new ZbudAllocator(memory);
            for (int i = 0; i < BACKGROUND_OBJECTS; i++)
            {
                if (allocator.allocate(sizes[(i * 7) & (SIZES - 1)]) < 0)
                {
                    throw new IllegalStateException("the background objects do not fit the budget");
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            allocator.close();
            memory.close();
        }
    }

    /** A thread's place in the size table and its ring of live objects. */
    @State(Scope.Thread)
    public static class Cursor
    {
        int next;
        final long[] ring = new long[RING];

        @Setup(Level.Trial)
        public void setUp(final Pool pool)
        {
            next = (int)Thread.currentThread().threadId() * 1009;
            for (int i = 0; i < RING; i++)
            {
                ring[i] = pool.allocator.allocate(pool.sizes[(next + i) & (SIZES - 1)]);
            }
        }

        int nextSize(final Pool pool)
        {
            return pool.sizes[next++ & (SIZES - 1)];
        }
    }

    private static long allocateFree(final Pool pool, final Cursor cursor)
    {
        final long handle = pool.allocator.allocate(cursor.nextSize(pool));
        pool.allocator.free(handle);
        return handle;
    }

    private static long churn(final Pool pool, final Cursor cursor)
    {
        final int slot = cursor.next & (RING - 1);
        pool.allocator.free(cursor.ring[slot]);
        final long handle = pool.allocator.allocate(cursor.nextSize(pool));
        cursor.ring[slot] = handle;
        return handle;
    }

    /** Allocate and free at once: one thread. */
    @Benchmark
    @Threads(1)
    public long allocateFree1Thread(final Pool pool, final Cursor cursor)
    {
        return allocateFree(pool, cursor);
    }

    /** Allocate and free at once: two threads on one allocator. */
    @Benchmark
    @Threads(2)
    public long allocateFree2Threads(final Pool pool, final Cursor cursor)
    {
        return allocateFree(pool, cursor);
    }

    /** Free the oldest of a ring, allocate a new one: one thread. */
    @Benchmark
    @Threads(1)
    public long churn1Thread(final Pool pool, final Cursor cursor)
    {
        return churn(pool, cursor);
    }

    /** Free the oldest of a ring, allocate a new one: two threads on one allocator. */
    @Benchmark
    @Threads(2)
    public long churn2Threads(final Pool pool, final Cursor cursor)
    {
        return churn(pool, cursor);
    }
}
