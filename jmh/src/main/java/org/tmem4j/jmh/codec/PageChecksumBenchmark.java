package org.tmem4j.jmh.codec;

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
import org.tmem4j.codec.PageChecksum;
import org.tmem4j.codec.SameFilledPage;
import org.tmem4j.cli.corpus.PageCorpus;

/**
 * What the per-page checks add to a put or get, in ns per 4 KiB page of the default {@link PageCorpus}: the
 * xxHash32 checksum (the corruption-detection option) and the same-filled test every put runs first. Compare with
 * {@link CodecBenchmark}'s compress time for the same pages.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PageChecksumBenchmark
{
    /** Number of corpus pages cycled through. */
    @Param("8192")
    public int pages;

    private PageCorpus corpus;
    private MemorySegment source;
    private MemorySegment zeroPage;
    private int next;

    /** Loads the corpus. */
    @Setup(Level.Trial)
    public void setUp()
    {
        corpus = PageCorpus.readDefault(pages);
        source = corpus.segment();
        zeroPage = java.lang.foreign.Arena.ofAuto().allocate(PageCorpus.PAGE_SIZE, PageCorpus.PAGE_SIZE);
    }

    /** Frees the corpus. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        corpus.close();
    }

    private long nextOffset()
    {
        final int page = next;
        next = page + 1 == corpus.pageCount() ? 0 : page + 1;
        return (long)page * PageCorpus.PAGE_SIZE;
    }

    /** xxHash32 of one page. */
    @Benchmark
    public int checksum()
    {
        return PageChecksum.of(source, nextOffset(), PageCorpus.PAGE_SIZE);
    }

    /** The same-filled test of one page (most real pages fail it within the first and last words). */
    @Benchmark
    public boolean sameFilled()
    {
        return SameFilledPage.isSameFilled(source, nextOffset(), PageCorpus.PAGE_SIZE);
    }

    /** The same-filled test of a zero page: the worst case, every word read. */
    @Benchmark
    public boolean sameFilledZeroPage()
    {
        return SameFilledPage.isSameFilled(zeroPage, 0, PageCorpus.PAGE_SIZE);
    }
}
