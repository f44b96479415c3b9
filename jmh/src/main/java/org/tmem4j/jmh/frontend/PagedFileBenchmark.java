package org.tmem4j.jmh.frontend;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import org.openjdk.jmh.annotations.Warmup;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.PagedFile;
import org.tmem4j.cli.corpus.PageCorpus;

/**
 * The paged file over a file sixteen times larger than its own page cache: random 4 KiB reads, uniform or skewed
 * (80% of reads on 20% of the pages), with cleancache on the zcache backend behind its cache or with no backend,
 * against plain {@code FileChannel} reads of the same positions (which the operating system's page cache serves,
 * since the file was just written). Each fork prints its hit rate: own cache, cleancache and disk reads.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class PagedFileBenchmark
{
    private static final int PAGE = 4096;
    private static final int FILE_PAGES = 4096;
    private static final int CACHE_PAGES = 256;

    /** {@code zcache}: cleancache behind the paged file; {@code none}: no backend registered. */
    @Param({"zcache", "none"})
    public String backend;

    /** {@code uniform} or {@code skewed} (80% of reads on the first 20% of the pages). */
    @Param({"uniform", "skewed"})
    public String access;

    private final Arena arena = Arena.ofShared();
    private final SplittableRandom random = new SplittableRandom(42);
    private Path file;
    private BackendRegistry registry;
    private PagedFile paged;
    private FileChannel channel;
    private MemorySegment dst;
    private ByteBuffer dstBuffer;
    private boolean skewed;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        file = Files.createTempFile("tmem4j-paged-bench", ".bin");
        try (PageCorpus corpus = PageCorpus.readDefault(FILE_PAGES);
             FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer all = corpus.segment().asSlice(0, (long)corpus.pageCount() * PAGE).asByteBuffer();
            while (all.hasRemaining())
            {
                out.write(all);
            }
        }
        registry = new BackendRegistry();
        final Cleancache cleancache = Cleancache.create(registry, FrontendsConfig.defaults());
        if ("zcache".equals(backend))
        {
            registry.register("zcache", FrontendsConfig.builder().budgetBytes(64L << 20).build());
        }
        paged = PagedFile.open(file, cleancache.initFs(), CACHE_PAGES, false);
        channel = FileChannel.open(file, StandardOpenOption.READ);
        dst = arena.allocate(PAGE);
        dstBuffer = dst.asByteBuffer();
        skewed = "skewed".equals(access);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        final PagedFile.Stats stats = paged.stats();
        System.out.printf("%npaged file, backend %s, %s: hit rate %.4f (own cache %d, cleancache %d, disk %d)%n",
            backend, access, stats.hitRate(), stats.cacheHits(), stats.cleancacheHits(), stats.diskReads());
        paged.close();
        channel.close();
        registry.unregister();
        arena.close();
        Files.deleteIfExists(file);
    }

    private long nextPosition()
    {
        final int hot = FILE_PAGES / 5;
        final int page = skewed && random.nextInt(10) < 8 ? random.nextInt(hot) : random.nextInt(FILE_PAGES);
        return (long)page * PAGE;
    }

    /** A page read through the paged file. */
    @Benchmark
    public int pagedRead()
    {
        return paged.read(nextPosition(), dst);
    }

    /** The same read straight from the file channel. */
    @Benchmark
    public int directRead() throws IOException
    {
        dstBuffer.clear();
        return channel.read(dstBuffer, nextPosition());
    }
}
