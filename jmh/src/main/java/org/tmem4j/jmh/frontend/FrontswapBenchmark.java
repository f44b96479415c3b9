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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;
import org.tmem4j.frontend.zcache.ZcacheBackend;
import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.cli.corpus.PageCorpus;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;

/**
 * What the frontswap frontend costs on top of the engine: a store and a load of the same real pages (the JDK's own
 * files, {@link PageCorpus}) straight into a persistent {@link Zcache} pool, and through
 * {@code SwapArea -> BackendRegistry -> ZcacheBackend -> Zcache} into an identical engine. The goal is at most 5%.
 * <p>
 * Only pages that compress to at most 5/8 of a page are used, so the engine's persistent admission never refuses
 * one and both sides do the same work: a refused page costs the engine alone a return code but the frontend a
 * write to its swap file, which is its job, not its overhead. The slots cycle over the pages, so every store
 * replaces a stored page (the steady state of a swap device) and every load hits; each fork prints the frontswap
 * counters to show it.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class FrontswapBenchmark
{
    private static final int PAGES = 1024;

    /** The allocator of both engines. */
    @Param({"zsmalloc", "zbud"})
    public String allocator;

    /** The codec of both engines. */
    @Param({"lz4"})
    public String codec;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] pages = new MemorySegment[PAGES];
    private MemorySegment dst;
    private Zcache engine;
    private int pool;
    private Zcache stackEngine;
    private BackendRegistry registry;
    private Frontswap frontswap;
    private SwapArea area;
    private Path swapFile;
    private int count;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        engine = newEngine();
        pool = engine.createPool(PoolKind.PERSISTENT, SwapArea.PAGE_SIZE);
        stackEngine = newEngine();
        registry = new BackendRegistry();
        frontswap = Frontswap.create(registry, FrontendsConfig.defaults());
        swapFile = Files.createTempFile("tmem4j-frontswap-bench", ".swap");
        area = frontswap.swapOn(swapFile, PAGES);
        registry.register(new ZcacheBackend(stackEngine));
        dst = arena.allocate(SwapArea.PAGE_SIZE);
        try (PageCorpus corpus = PageCorpus.readDefault(PAGES * 4); Codec probe = CodecSpec.parse(codec).newCodec())
        {
            final MemorySegment compressed = arena.allocate(probe.maxCompressedLength(SwapArea.PAGE_SIZE));
            for (int i = 0; i < corpus.pageCount() && count < PAGES; i++)
            {
                final MemorySegment page = corpus.segment().asSlice(corpus.offset(i), SwapArea.PAGE_SIZE);
                final int length = probe.compress(page, 0, SwapArea.PAGE_SIZE, compressed, 0,
                    (int)compressed.byteSize());
                if (length <= SwapArea.PAGE_SIZE * 5 / 8
                    && engine.put(pool, count & 0xff, 0, 0, count >>> 8, page) == Zcache.STORED)
                {
                    pages[count] = arena.allocate(SwapArea.PAGE_SIZE).copyFrom(page);
                    final int slot = area.allocateSlot();
                    if (slot != count || !area.store(slot, pages[count]))
                    {
                        throw new IllegalStateException("the stack refused a page the engine took: slot " + slot);
                    }
                    count++;
                }
            }
        }
        if (count == 0)
        {
            throw new IllegalStateException("the engine accepted no page of the corpus");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        final CounterSource counters = frontswap.counters();
        final long[] values = new long[counters.descriptions().size()];
        counters.sample(values);
        final StringBuilder line = new StringBuilder("\nfrontswap counters:");
        for (int i = 0; i < values.length; i++)
        {
            line.append(' ').append(counters.descriptions().get(i).name()).append('=').append(values[i]);
        }
        System.out.println(line);
        frontswap.close();
        registry.unregister();
        stackEngine.close();
        engine.close();
        arena.close();
        Files.deleteIfExists(swapFile);
    }

    private Zcache newEngine()
    {
        return Zcache.builder().allocator(allocator).codec(codec).budgetBytes(64L << 20).build();
    }

    private int nextPage()
    {
        final int i = next;
        next = i + 1 == count ? 0 : i + 1;
        return i;
    }

    /** A store straight into the engine. */
    @Benchmark
    public int engineStore()
    {
        final int i = nextPage();
        return engine.put(pool, i & 0xff, 0, 0, i >>> 8, pages[i]);
    }

    /** A store through the frontswap frontend. */
    @Benchmark
    public boolean frontswapStore()
    {
        final int i = nextPage();
        return area.store(i, pages[i]);
    }

    /** A load straight from the engine. */
    @Benchmark
    public boolean engineLoad()
    {
        final int i = nextPage();
        return engine.get(pool, i & 0xff, 0, 0, i >>> 8, dst);
    }

    /** A load through the frontswap frontend. */
    @Benchmark
    public boolean frontswapLoad()
    {
        return area.load(nextPage(), dst);
    }
}
