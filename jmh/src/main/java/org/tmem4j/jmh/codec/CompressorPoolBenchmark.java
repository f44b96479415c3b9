package org.tmem4j.jmh.codec;

import java.lang.foreign.MemorySegment;
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
import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.codec.CompressorPool;
import org.tmem4j.codec.CompressorSlot;
import org.tmem4j.cli.corpus.PageCorpus;

/**
 * The price of sharing compressor slots, per {@link CompressorPool.SlotSelection}, with as many slots as available
 * processors: a bare acquire and release (the pool's own overhead) and an acquire, LZ4 compress of a real page and
 * release (against {@link #compressOwnCodec}, a thread with a codec of its own and no pool), with 1, 2 and 8
 * platform threads, and 1000 virtual threads started per invocation that each put one page through the pool.
 * Times are ns per operation (per page).
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CompressorPoolBenchmark
{
    private static final int VIRTUAL_THREADS = 1000;

    /** The pool and the pages, shared by all benchmark threads. */
    @State(Scope.Benchmark)
    public static class Shared
    {
        /** How the pool picks a slot. */
        @Param({"CPU", "THREAD", "FREE_LIST"})
        public CompressorPool.SlotSelection selection;

        CompressorPool pool;
        PageCorpus corpus;
        MemorySegment pages;

        /** Builds the pool and loads 1024 corpus pages. */
        @Setup(Level.Trial)
        public void setUp()
        {
            pool = CompressorPool.create(CodecSpec.lz4(), Runtime.getRuntime().availableProcessors(),
                PageCorpus.PAGE_SIZE, selection);
            corpus = PageCorpus.readDefault(1024);
            pages = corpus.segment();
        }

        /** Frees the pool and pages. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            pool.close();
            corpus.close();
        }

        long offset(final int page)
        {
            return (long)((page & Integer.MAX_VALUE) % corpus.pageCount()) * PageCorpus.PAGE_SIZE;
        }
    }

    /** A thread's own page cursor and, for the baseline, its own codec and output buffer. */
    @State(Scope.Thread)
    public static class Own
    {
        int page;
        Codec codec;
        MemorySegment output;
        private java.lang.foreign.Arena arena;

        /** Makes the thread's codec. */
        @Setup(Level.Trial)
        public void setUp()
        {
            codec = CodecSpec.lz4().newCodec();
            arena = java.lang.foreign.Arena.ofConfined();
            output = arena.allocate(codec.maxCompressedLength(PageCorpus.PAGE_SIZE));
        }

        /** Frees it. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            codec.close();
            arena.close();
        }
    }

    private static int acquireRelease(final Shared shared)
    {
        try (CompressorSlot slot = shared.pool.acquire())
        {
            return slot.index();
        }
    }

    private static int acquireCompressRelease(final Shared shared, final Own own)
    {
        try (CompressorSlot slot = shared.pool.acquire())
        {
            return slot.compress(shared.pages, shared.offset(own.page++), PageCorpus.PAGE_SIZE);
        }
    }

    /** Pool overhead alone, one thread. */
    @Benchmark
    @Threads(1)
    public int acquireRelease1Thread(final Shared shared)
    {
        return acquireRelease(shared);
    }

    /** Pool overhead alone, two threads. */
    @Benchmark
    @Threads(2)
    public int acquireRelease2Threads(final Shared shared)
    {
        return acquireRelease(shared);
    }

    /** Pool overhead alone, eight threads on two slots' worth of CPUs. */
    @Benchmark
    @Threads(8)
    public int acquireRelease8Threads(final Shared shared)
    {
        return acquireRelease(shared);
    }

    /** A page compressed through the pool, one thread. */
    @Benchmark
    @Threads(1)
    public int acquireCompressRelease1Thread(final Shared shared, final Own own)
    {
        return acquireCompressRelease(shared, own);
    }

    /** A page compressed through the pool, two threads. */
    @Benchmark
    @Threads(2)
    public int acquireCompressRelease2Threads(final Shared shared, final Own own)
    {
        return acquireCompressRelease(shared, own);
    }

    /** A page compressed through the pool, eight threads. */
    @Benchmark
    @Threads(8)
    public int acquireCompressRelease8Threads(final Shared shared, final Own own)
    {
        return acquireCompressRelease(shared, own);
    }

    /** The baseline: a page compressed with the thread's own codec, no pool, one thread. */
    @Benchmark
    @Threads(1)
    public int compressOwnCodec(final Shared shared, final Own own)
    {
        return own.codec.compress(shared.pages, shared.offset(own.page++), PageCorpus.PAGE_SIZE, own.output, 0,
            (int)own.output.byteSize());
    }

    /** 1000 virtual threads started at once, each compressing one page through the pool; per page. */
    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(VIRTUAL_THREADS)
    public int virtualThreads(final Shared shared) throws InterruptedException
    {
        final Thread[] threads = new Thread[VIRTUAL_THREADS];
        final int[] lengths = new int[VIRTUAL_THREADS];
        for (int i = 0; i < VIRTUAL_THREADS; i++)
        {
            final int index = i;
            threads[i] = Thread.ofVirtual().start(() ->
            {
                try (CompressorSlot slot = shared.pool.acquire())
                {
                    lengths[index] = slot.compress(shared.pages, shared.offset(index), PageCorpus.PAGE_SIZE);
                }
            });
        }
        int total = 0;
        for (int i = 0; i < VIRTUAL_THREADS; i++)
        {
            threads[i].join();
            total += lengths[i];
        }
        return total;
    }
}
