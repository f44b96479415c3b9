package org.tmem4j.jmh.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
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

/**
 * Raw codec speed on real 4 KiB pages, the ceiling the engine's put and get are measured against: one page
 * compressed or decompressed per operation, cycling through {@code pages} pages of the default {@link PageCorpus}
 * (the JDK's class files and libjvm.so) in off-heap memory. Multiply ops/s by 4096 for bytes per second of page
 * data. Setup prints each codec's compression ratio over the corpus.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class CodecBenchmark
{
    /** Codec under test, as {@link CodecSpec#parse} reads it. */
    @Param({"lz4", "zstd:-5", "zstd:1", "zstd:3"})
    public String codec;

    /** Number of corpus pages cycled through. */
    @Param("8192")
    public int pages;

    private PageCorpus corpus;
    private Codec instance;
    private Arena arena;
    private MemorySegment source;
    private MemorySegment blocks;
    private MemorySegment output;
    private MemorySegment restored;
    private int[] blockLength;
    private int blockStride;
    private int outputCapacity;
    private int next;

    /** Loads the corpus and compresses every page once, for the decompression benchmark. */
    @Setup(Level.Trial)
    public void setUp()
    {
        corpus = PageCorpus.readDefault(pages);
        instance = CodecSpec.parse(codec).newCodec();
        arena = Arena.ofConfined();
        source = corpus.segment();
        blockStride = instance.maxCompressedLength(PageCorpus.PAGE_SIZE);
        outputCapacity = blockStride;
        blocks = arena.allocate((long)blockStride * corpus.pageCount(), 64);
        output = arena.allocate(blockStride, 64);
        restored = arena.allocate(PageCorpus.PAGE_SIZE, PageCorpus.PAGE_SIZE);
        blockLength = corpus.compressEach(instance, blocks, blockStride);
        final long compressed = Arrays.stream(blockLength).asLongStream().sum();
        System.out.printf("%n%s over %s: ratio %.3f (%d bytes -> %d)%n", codec, corpus,
            (double)corpus.pageCount() * PageCorpus.PAGE_SIZE / compressed,
            (long)corpus.pageCount() * PageCorpus.PAGE_SIZE, compressed);
    }

    /** Frees the codec, buffers and corpus. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        instance.close();
        arena.close();
        corpus.close();
    }

    private int nextPage()
    {
        final int page = next;
        next = page + 1 == blockLength.length ? 0 : page + 1;
        return page;
    }

    /** One 4 KiB page compressed into a worst-case-sized off-heap buffer. */
    @Benchmark
    public int compress()
    {
        final int page = nextPage();
        return instance.compress(source, (long)page * PageCorpus.PAGE_SIZE, PageCorpus.PAGE_SIZE, output, 0,
            outputCapacity);
    }

    /** One compressed page decompressed back to 4 KiB, length checked. */
    @Benchmark
    public int decompress()
    {
        final int page = nextPage();
        return instance.decompress(blocks, (long)page * blockStride, blockLength[page], restored, 0,
            PageCorpus.PAGE_SIZE);
    }
}
