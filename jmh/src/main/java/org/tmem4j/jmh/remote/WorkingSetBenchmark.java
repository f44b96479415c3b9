package org.tmem4j.jmh.remote;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
import org.tmem4j.cli.corpus.PageCorpus;
import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;
import org.tmem4j.frontend.zcache.ZcacheBackend;
import org.tmem4j.ramster.LocalRedis;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.zcache.ZcacheStats;

/**
 * A swap working set four times what fits in zcache's budget, through frontswap over a real swap file: zcache alone
 * (pages that find no room go to the file), zcache with writeback (the coldest pages go to the file), and ramster
 * (the coldest pages go to a throwaway loopback Redis with {@code appendfsync always}, then to the file). The budget
 * is a quarter of the working set's LZ4-compressed size; the pages are the default corpus, one slot each, stored once
 * in order before measuring. An operation loads one slot, three times in four from the first quarter of the slots
 * (a hot set the size of the budget) and else from anywhere, checks every byte, and stores the page again one time in
 * four (a dirtied page swapped out again). The throughputs of the three are the benchmark's scores; where the loads
 * were served (zcache, Redis, the file) is printed per fork as a {@code WORKINGSET} line, so hit rates and
 * throughput come from one run side by side.
 */
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class WorkingSetBenchmark
{
    /** {@code zcache}, {@code zcache-writeback} or {@code ramster}. */
    @Param({"zcache", "zcache-writeback", "ramster"})
    public String backend;

    /** Pages in the working set (and slots in the swap area). */
    @Param("16384")
    public int pages;

    private PageCorpus corpus;
    private LocalRedis redis;
    private BackendRegistry registry;
    private Frontswap frontswap;
    private SwapArea area;
    private Path swapFile;
    private Arena arena;
    private MemorySegment page;
    private long budget;
    private final SplittableRandom random = new SplittableRandom(20261206L);

    /** Starts Redis if needed, registers the backend and stores the working set. */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        corpus = PageCorpus.readDefault(pages);
        arena = Arena.ofShared();
        page = arena.allocate(SwapArea.PAGE_SIZE);
        budget = Math.max(64L << 10, compressedBytes() / 4 / 4096 * 4096);
        final FrontendsConfig.Builder config = FrontendsConfig.builder().budgetBytes(budget)
            .writeback(!backend.equals("zcache"));
        if (backend.equals("ramster"))
        {
            redis = LocalRedis.builder().durable().maxMemory(4L << 30, "noeviction").start();
            config.backend("ramster").backendSetting("ramster.persistent.uri", redis.uri())
                .backendSetting("ramster.node", "workingset").backendSetting("ramster.timeoutMs", "10000");
        }
        registry = new BackendRegistry();
        frontswap = Frontswap.create(registry, config.build());
        registry.register(config.build().backend(), config.build());
        swapFile = Files.createTempFile("tmem4j-workingset", ".swap");
        area = frontswap.swapOn(swapFile, corpus.pageCount());
        for (int slot = 0; slot < corpus.pageCount(); slot++)
        {
            area.allocateSlot();
            area.store(slot, corpus.segment().asSlice(corpus.offset(slot), PageCorpus.PAGE_SIZE));
        }
    }

    /** Prints where the loads were served, then stops everything. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        final ZcacheStats zcache = ((ZcacheBackend)registry.backend()).zcache().stats();
        final long below = ((ZcacheBackend)registry.backend()).zcache().lowerTierStats().repatriated();
        final CounterSource counters = frontswap.counters();
        final long[] values = new long[counters.descriptions().size()];
        counters.sample(values);
        final long backendLoads = values[indexOf(counters, "loads")];
        final long fileLoads = values[indexOf(counters, "file_loads")];
        final long loads = backendLoads + fileLoads;
        final long local = zcache.getHits() - below;
        System.out.printf(Locale.ROOT, "%nWORKINGSET backend=%s pages=%d budget=%d loads=%d zcache=%.1f%% redis=%.1f%%"
            + " file=%.1f%% memory_hit_rate=%.1f%% moved_down=%d written_back=%d failed_stores=%d%n", backend,
            corpus.pageCount(), budget, loads, 100.0 * local / loads, 100.0 * below / loads, 100.0 * fileLoads / loads,
            100.0 * backendLoads / loads, ((ZcacheBackend)registry.backend()).zcache().lowerTierStats().remotified(),
            values[indexOf(counters, "written_back")], values[indexOf(counters, "failed_stores")]);
        frontswap.close();
        registry.unregister();
        if (redis != null)
        {
            redis.close();
        }
        Files.deleteIfExists(swapFile);
        arena.close();
        corpus.close();
    }

    /**
     * @return the slot loaded.
     */
    @Benchmark
    public int loadAndSometimesStore()
    {
        final int all = corpus.pageCount();
        final int slot = random.nextInt(4) == 0 ? random.nextInt(all) : random.nextInt(Math.max(1, all / 4));
        final MemorySegment expected = corpus.segment().asSlice(corpus.offset(slot), PageCorpus.PAGE_SIZE);
        if (!area.load(slot, page) || page.mismatch(expected) != -1)
        {
            throw new IllegalStateException("slot " + slot + " did not load back bit-exact");
        }
        if (random.nextInt(4) == 0)
        {
            area.store(slot, expected);
        }
        return slot;
    }

    private long compressedBytes()
    {
        long bytes = 0;
        try (Codec codec = CodecSpec.lz4().newCodec(); Arena scratch = Arena.ofConfined())
        {
            final MemorySegment out = scratch.allocate(codec.maxCompressedLength(PageCorpus.PAGE_SIZE));
            for (int i = 0; i < corpus.pageCount(); i++)
            {
                bytes += codec.compress(corpus.segment(), corpus.offset(i), PageCorpus.PAGE_SIZE, out, 0,
                    (int)out.byteSize());
            }
        }
        return bytes;
    }

    private static int indexOf(final CounterSource source, final String name)
    {
        for (int i = 0; i < source.descriptions().size(); i++)
        {
            if (source.descriptions().get(i).name().equals(name))
            {
                return i;
            }
        }
        throw new IllegalArgumentException("no counter " + name);
    }
}
