package org.tmem4j.jmh.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import org.openjdk.jmh.annotations.Warmup;
import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.cli.corpus.PageCorpus;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

/**
 * The engine against the raw codec on the same pages, one thread: {@code put} (same-filled check, compressor slot,
 * compress, optional checksum, allocate, copy into the allocator, link under the bucket lock, free the replaced
 * page) against {@code rawCompress}, and {@code get} (bucket lock, allocator view, optional checksum check,
 * decompress) against {@code rawDecompress}. Targets: put &ge; 0.95 &times; rawCompress, get &ge; 0.90 &times;
 * rawDecompress. Each op is one 4 KiB page of the corpus, cycling; puts replace the previous put of the same index,
 * so the store stays at one copy of the corpus.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class ZcacheVsCodecBenchmark
{
    /** Codec, as {@link CodecSpec#parse} reads it. */
    @Param({"lz4", "zstd:1"})
    public String codec;

    /** Whether zcache stores and verifies a per-page checksum. */
    @Param({"false", "true"})
    public boolean checksum;

    /** Allocator, by name. */
    @Param("zsmalloc")
    public String allocator;

    /** Corpus pages cycled through. */
    @Param("4096")
    public int pages;

    /** {@code jvm} (the JDK's own files), or a corpus file such as {@code scripts/db-corpus.sh} writes. */
    @Param("jvm")
    public String corpus;

    private PageCorpus pageCorpus;
    private Zcache zcache;
    private int pool;
    private Codec raw;
    private Arena arena;
    private MemorySegment[] page;
    private MemorySegment blocks;
    private int[] blockLength;
    private int blockStride;
    private MemorySegment output;
    private MemorySegment restored;
    private int next;

    /** Loads the corpus, builds the backend holding every page, and compresses every page once for rawDecompress. */
    @Setup(Level.Trial)
    public void setUp()
    {
        pageCorpus = PageCorpus.named(corpus, pages);
        zcache = Zcache.builder().allocator(allocator).codec(codec).checksum(checksum).budgetBytes(256L << 20)
            .build();
        pool = zcache.createPool(PoolKind.PERSISTENT, PageCorpus.PAGE_SIZE);
        raw = CodecSpec.parse(codec).newCodec();
        arena = Arena.ofConfined();
        final int count = pageCorpus.pageCount();
        page = new MemorySegment[count];
        blockStride = raw.maxCompressedLength(PageCorpus.PAGE_SIZE);
        blocks = arena.allocate((long)blockStride * count, 64);
        blockLength = pageCorpus.compressEach(raw, blocks, blockStride);
        output = arena.allocate(blockStride, 64);
        restored = arena.allocate(PageCorpus.PAGE_SIZE, PageCorpus.PAGE_SIZE);
        for (int i = 0; i < count; i++)
        {
            page[i] = pageCorpus.segment().asSlice(pageCorpus.offset(i), PageCorpus.PAGE_SIZE);
            zcache.put(pool, 1, 0, 0, i, page[i]);
        }
        System.out.printf("%n%s %s checksum=%s: %s%n", allocator, codec, checksum, zcache.stats().pools());
    }

    /** Closes the backend, codec, buffers and corpus. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        final ZcacheStats stats = zcache.stats();
        if (stats.dictionariesMade() > 0)
        {
            // a +dict codec's background work during the trial: dictionaries made, and drifts that started samples
            System.out.printf("%n%s: dictionaries made %d, resamples %d, alive %d (%d bytes)%n", codec,
                stats.dictionariesMade(), stats.dictionaryResamples(), stats.dictionaries(), stats.dictionaryBytes());
        }
        zcache.close();
        raw.close();
        arena.close();
        pageCorpus.close();
    }

    private int nextPage()
    {
        final int i = next;
        next = i + 1 == page.length ? 0 : i + 1;
        return i;
    }

    /** The ceiling of put: one page compressed by the raw codec into an off-heap buffer. */
    @Benchmark
    public int rawCompress()
    {
        final int i = nextPage();
        return raw.compress(page[i], 0, PageCorpus.PAGE_SIZE, output, 0, blockStride);
    }

    /** One page put into a persistent pool, replacing its previous copy. */
    @Benchmark
    public int put()
    {
        final int i = nextPage();
        return zcache.put(pool, 1, 0, 0, i, page[i]);
    }

    /** The ceiling of get: one page decompressed by the raw codec. */
    @Benchmark
    public int rawDecompress()
    {
        final int i = nextPage();
        return raw.decompress(blocks, (long)i * blockStride, blockLength[i], restored, 0, PageCorpus.PAGE_SIZE);
    }

    /** One page read from a persistent pool (shared get: the page stays). */
    @Benchmark
    public boolean get()
    {
        return zcache.get(pool, 1, 0, 0, nextPage(), restored);
    }
}
