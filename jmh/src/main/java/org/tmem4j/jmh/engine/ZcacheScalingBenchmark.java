package org.tmem4j.jmh.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.cli.corpus.PageCorpus;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

/**
 * Scaling of the engine: a put/get mix (each op puts one page and gets the page put before it) on one backend by
 * 1, 2, 4 and 8 threads, each thread on its own objects (ops/s are totals over the threads). Goals: 2 threads
 * &ge; 1.8 &times; one thread, and 8 threads &ge; 0.95 &times; 2 threads on a 2-CPU machine (more threads than CPUs
 * must not convoy). {@code rawMix1Thread}/{@code rawMix2Threads}/{@code rawMix8Threads} do the same codec work
 * without the engine, to show what the machine itself scales to. With {@code -p workingSet=total} the threads split
 * the pages instead of each storing all of them, so that a higher thread count does not also mean more memory
 * touched. {@code corpus} is {@code jvm} (the JDK's own files, see {@link PageCorpus#defaultFiles()}) or the path of a
 * corpus file such as {@code scripts/db-corpus.sh} writes (database pages).
 * <p>
 * <b>Warm-up.</b> The JIT compiles the engine's hot path on threads that compete with the workers for the CPUs: one
 * worker leaves the compiler a CPU of its own and is compiled within about 3 s, but 2 workers on 2 CPUs take about 6 s
 * and 8 workers about 10 s (database pages, zsmalloc: 8 threads climb from 120,000 to 520,000 ops/s over their first
 * ten 1-s iterations while the C2 thread takes 60-80% of a CPU, then stay flat). Measured after a shorter warm-up,
 * more threads look slower than they are, so the default warm-up is 15 s; {@code -prof comp} shows whether the
 * compiler is still busy in the measured iterations.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 15, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ZcacheScalingBenchmark
{
    /** The backend shared by every thread. */
    @State(Scope.Benchmark)
    public static class Backend
    {
        /** Codec, as {@link CodecSpec#parse} reads it. */
        @Param("lz4")
        public String codec;

        /** Allocator, by name. */
        @Param("zsmalloc")
        public String allocator;

        /** Corpus pages each thread cycles through. */
        @Param("2048")
        public int pages;

        /** {@code jvm}, or a corpus file. */
        @Param("jvm")
        public String corpus;

        /**
         * {@code perThread}: every thread cycles through all {@link #pages} pages, on objects of its own, so the
         * pages stored grow with the threads (8 threads store 4 times what 2 do: on JDK pages past this machine's
         * last-level cache, which then slows them whatever the engine does); {@code total}: the threads split the
         * pages, each cycling through {@code pages / threads} of its own, so every thread count stores the same
         * pages and the ratios between them are the engine's scaling alone.
         */
        @Param("perThread")
        public String workingSet;

        /**
         * Spare compressor slots: {@code default} (the engine's, 3 per slot) or a count; {@code 0} shows the
         * convoy of threads outnumbering CPUs without them.
         */
        @Param("default")
        public String spares;

        PageCorpus pageCorpus;
        MemorySegment[] page;
        Zcache zcache;
        int pool;
        final AtomicInteger threads = new AtomicInteger();

        /** Loads the corpus and builds the backend. */
        @Setup(Level.Trial)
        public void setUp()
        {
            if (!"perThread".equals(workingSet) && !"total".equals(workingSet))
            {
                throw new IllegalArgumentException("workingSet is perThread or total, not " + workingSet);
            }
            pageCorpus = PageCorpus.named(corpus, pages);
            page = new MemorySegment[pageCorpus.pageCount()];
            for (int i = 0; i < page.length; i++)
            {
                page[i] = pageCorpus.segment().asSlice(pageCorpus.offset(i), PageCorpus.PAGE_SIZE);
            }
            final Zcache.Builder builder = Zcache.builder().allocator(allocator).codec(codec).budgetBytes(256L << 20);
            zcache = ("default".equals(spares) ? builder : builder.spareCompressorSlots(Integer.parseInt(spares)))
                .build();
            pool = zcache.createPool(PoolKind.PERSISTENT, PageCorpus.PAGE_SIZE);
        }

        /** Closes the backend and the corpus. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            final ZcacheStats stats = zcache.stats();
            System.out.printf("%ncompressor slots %d, acquisitions that waited %d of %d puts and gets%n",
                stats.compressorSlots(), stats.compressorWaits(), stats.puts() + stats.gets());
            zcache.close();
            pageCorpus.close();
        }
    }

    /** One thread's object, cursor and buffers. */
    @State(Scope.Thread)
    public static class Worker
    {
        long oid;
        /** The first corpus page this thread cycles through, and how many. */
        int first;
        int span;
        int next;
        MemorySegment restored;
        MemorySegment compressed;
        Codec raw;

        /**
         * Takes an object id of its own and fills it; each thread starts at another place in the corpus, as
         * threads storing different data would, rather than in lockstep on pages of the same compressed sizes.
         */
        @Setup(Level.Trial)
        public void setUp(final Backend backend, final BenchmarkParams params)
        {
            oid = backend.threads.incrementAndGet();
            if ("total".equals(backend.workingSet))
            {
                span = backend.page.length / params.getThreads();
                first = (int)(oid - 1) * span;
            }
            else
            {
                span = backend.page.length;
                first = 0;
            }
            next = (int)((oid * 0x9E3779B9L & 0x7FFFFFFFL) % span);
            restored = Arena.ofAuto().allocate(PageCorpus.PAGE_SIZE, PageCorpus.PAGE_SIZE);
            raw = CodecSpec.parse(backend.codec).newCodec();
            compressed = Arena.ofAuto().allocate(raw.maxCompressedLength(PageCorpus.PAGE_SIZE));
            for (int i = 0; i < span; i++)
            {
                backend.zcache.put(backend.pool, oid, 0, 0, i, backend.page[first + i]);
            }
        }

        /** Frees the raw codec. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            raw.close();
        }
    }

    private static boolean putGet(final Backend backend, final Worker worker)
    {
        final int i = worker.next;
        worker.next = i + 1 == worker.span ? 0 : i + 1;
        backend.zcache.put(backend.pool, worker.oid, 0, 0, i, backend.page[worker.first + i]);
        return backend.zcache.get(backend.pool, worker.oid, 0, 0, i == 0 ? worker.span - 1 : i - 1,
            worker.restored);
    }

    private static int rawMix(final Backend backend, final Worker worker)
    {
        final int i = worker.next;
        worker.next = i + 1 == worker.span ? 0 : i + 1;
        final int length = worker.raw.compress(backend.page[worker.first + i], 0, PageCorpus.PAGE_SIZE, worker.compressed, 0,
            (int)worker.compressed.byteSize());
        return worker.raw.decompress(worker.compressed, 0, length, worker.restored, 0, PageCorpus.PAGE_SIZE);
    }

    /** Put + get, one thread. */
    @Benchmark
    @Threads(1)
    public boolean mix1Thread(final Backend backend, final Worker worker)
    {
        return putGet(backend, worker);
    }

    /** Put + get, two threads on their own objects. */
    @Benchmark
    @Threads(2)
    public boolean mix2Threads(final Backend backend, final Worker worker)
    {
        return putGet(backend, worker);
    }

    /** Put + get, four threads on their own objects. */
    @Benchmark
    @Threads(4)
    public boolean mix4Threads(final Backend backend, final Worker worker)
    {
        return putGet(backend, worker);
    }

    /** Put + get, eight threads on their own objects. */
    @Benchmark
    @Threads(8)
    public boolean mix8Threads(final Backend backend, final Worker worker)
    {
        return putGet(backend, worker);
    }

    /** The same compress + decompress by the raw codec, one thread. */
    @Benchmark
    @Threads(1)
    public int rawMix1Thread(final Backend backend, final Worker worker)
    {
        return rawMix(backend, worker);
    }

    /** The same compress + decompress by the raw codec, two threads. */
    @Benchmark
    @Threads(2)
    public int rawMix2Threads(final Backend backend, final Worker worker)
    {
        return rawMix(backend, worker);
    }

    /**
     * The same compress + decompress by the raw codec, eight threads, which share nothing: what eight threads on
     * this machine's CPUs keep of two's work before any engine is involved.
     */
    @Benchmark
    @Threads(8)
    public int rawMix8Threads(final Backend backend, final Worker worker)
    {
        return rawMix(backend, worker);
    }
}
