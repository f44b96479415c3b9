package org.tmem4j.frontend.frontswap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.CounterValues;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Pages;
import org.tmem4j.frontend.zcache.ZcacheBackend;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frontswap writeback ({@code frontswap.writeback}) over a real swap file: a full budget writes the coldest pages
 * back to their own slots, decompressed, and frees them in zcache only then; every page loads back bit-exact from
 * wherever it is, and the slot bits say where, with one thread and with four sharing every lock stripe; with the
 * engine's codec, with a dictionary per pool, and with a recompression agent.
 */
class FrontswapWritebackTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", 20261206L);
    private static final int SLOTS = 1024;

    @TempDir
    Path dir;

    /**
     * @param codec      the engine's codec: with {@code zstd+dict}, pages compressed with their pool's dictionary
     *                   are written back too.
     * @param recompress a recompression agent racing every operation ({@code off} for none), whose pages, stored
     *                   with zstd and the pool's dictionary in an LZ4 engine, are written back too.
     */
    private static FrontendsConfig config(final int buckets, final String codec, final String recompress)
    {
        return FrontendsConfig.builder().budgetBytes(256L << 10).buckets(buckets).writeback(true).checksum(true)
            .codec(codec).recompress(recompress).recompressIdleMs(0).recompressIntervalMs(1).recompressMinSavedBytes(1)
            .build();
    }

    /**
     * After the run: pages were compressed with a dictionary when the case is about that; says how many the agent
     * recompressed (it stores a page again only while the budget has room, as invalidations make).
     */
    private static void assertTheCaseWasExercised(final ZcacheBackend backend, final String codec,
        final String recompress)
    {
        final ZcacheStats stats = backend.zcache().stats();
        assertTrue(!codec.endsWith("+dict") && "off".equals(recompress) || stats.dictionariesMade() > 0,
            "no dictionary was made");
        System.out.printf("writeback %s, recompress %s: %d dictionaries made, %d pages recompressed%n", codec,
            recompress, stats.dictionariesMade(), stats.recompressedPages());
    }


    @ParameterizedTest(name = "{0}, recompress {1}")
    @CsvSource({"lz4, off", "zstd+dict, off", "lz4, zstd:9+dict"})
    void aFullBudgetWritesTheColdestPagesBackAndKeepsTheNewOnes(final String codec, final String recompress)
    {
        final BackendRegistry registry = new BackendRegistry();
        final FrontendsConfig config = config(1, codec, recompress);
        try (Arena arena = Arena.ofConfined(); Frontswap frontswap = Frontswap.create(registry, config))
        {
            registry.register("zcache", config);
            final SwapArea area = frontswap.swapOn(dir.resolve("writeback.swap"), SLOTS);
            final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
            for (int slot = 0; slot < SLOTS; slot++)
            {
                if (slot == SLOTS / 16 && !"off".equals(recompress))
                {
                    // a pass while the budget has room (the agent never takes room a page may need): these pages,
                    // the coldest, are the first written back
                    final Zcache zcache = ((ZcacheBackend)registry.backend()).zcache();
                    zcache.recompress(); // or the agent, racing, did it already
                    assertTrue(zcache.stats().recompressedPages() > 0, "nothing was recompressed");
                }
                assertEquals(slot, area.allocateSlot());
                Pages.fill(page, SEED + slot);
                assertTrue(area.store(slot, page), "slot " + slot + ": every store is taken, the coldest go back");
            }
            final long inBackend = area.currPages();
            assertTrue(inBackend > 0 && inBackend < SLOTS, inBackend + " pages in the backend");
            // one bucket per pool: zcache's list is exact store order, so the file holds exactly the oldest slots
            for (int slot = 0; slot < SLOTS; slot++)
            {
                assertEquals(slot >= SLOTS - inBackend, area.isInBackend(slot), "slot " + slot);
            }
            final ZcacheBackend backend = (ZcacheBackend)registry.backend();
            assertEquals(SLOTS - inBackend, backend.zcache().lowerTierStats().remotified());
            assertEquals(SLOTS - inBackend, CounterValues.read(frontswap.counters(), "written_back"));
            assertEquals(SLOTS - inBackend, CounterValues.read(frontswap.counters(), "file_writes"));
            assertEquals(inBackend, backend.zcache().stats().storedPages(), "written back pages are freed in zcache");
            for (int slot = 0; slot < SLOTS; slot++)
            {
                assertTrue(area.load(slot, page));
                assertTrue(Pages.matches(page, SEED + slot), "slot " + slot + " bit-exact");
            }
            assertEquals(SLOTS - inBackend, CounterValues.read(frontswap.counters(), "file_loads"));
            assertTheCaseWasExercised(backend, codec, recompress);
        }
    }

    @ParameterizedTest(name = "{0}, recompress {1}")
    @CsvSource({"lz4, off", "zstd+dict, off", "lz4, zstd:9+dict"})
    void randomTrafficWithWritebackLosesNoPage(final String codec, final String recompress)
    {
        final BackendRegistry registry = new BackendRegistry();
        final SplittableRandom random = new SplittableRandom(SEED);
        final FrontendsConfig config = config(256, codec, recompress);
        try (Arena arena = Arena.ofConfined(); Frontswap frontswap = Frontswap.create(registry, config))
        {
            registry.register("zcache", config);
            final SwapArea area = frontswap.swapOn(dir.resolve("random.swap"), SLOTS);
            final long[] tags = new long[SLOTS];
            for (int slot = 0; slot < SLOTS; slot++)
            {
                area.allocateSlot();
            }
            final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
            for (int op = 0; op < 30_000; op++)
            {
                final int slot = random.nextInt(SLOTS);
                final int kind = random.nextInt(10);
                if (kind < 5)
                {
                    tags[slot] = random.nextLong(1, Long.MAX_VALUE);
                    Pages.fill(page, tags[slot]);
                    area.store(slot, page);
                }
                else if (kind < 9)
                {
                    assertEquals(tags[slot] != 0, area.load(slot, page), "op " + op + " slot " + slot);
                    assertTrue(tags[slot] == 0 || Pages.matches(page, tags[slot]), "op " + op + " slot " + slot);
                }
                else
                {
                    area.invalidatePage(slot);
                    tags[slot] = 0;
                }
            }
            assertTrue(CounterValues.read(frontswap.counters(), "written_back") > 0,
                "the budget filled and pages went back");
            assertTheCaseWasExercised((ZcacheBackend)registry.backend(), codec, recompress);
            registry.unregister();
            for (int slot = 0; slot < SLOTS; slot++)
            {
                assertEquals(tags[slot] != 0, area.load(slot, page));
                assertTrue(tags[slot] == 0 || Pages.matches(page, tags[slot]), "slot " + slot + " after unregister");
                assertFalse(area.isInBackend(slot));
            }
        }
    }

    @ParameterizedTest(name = "{0}, recompress {1}")
    @CsvSource({"lz4, off", "zstd+dict, off", "lz4, zstd:9+dict"})
    void threadsStoringLoadingAndInvalidatingWhileTheColdestGoBackLoseNoPage(final String codec,
        final String recompress) throws Exception
    {
        final int threads = 4;
        final int slotsPerThread = SLOTS / threads;
        final BackendRegistry registry = new BackendRegistry();
        final FrontendsConfig config = config(16, codec, recompress);
        try (Frontswap frontswap = Frontswap.create(registry, config))
        {
            registry.register("zcache", config);
            final SwapArea area = frontswap.swapOn(dir.resolve("threads.swap"), SLOTS);
            for (int slot = 0; slot < SLOTS; slot++)
            {
                area.allocateSlot();
            }
            final ConcurrentLinkedQueue<Throwable> failures =
                new ConcurrentLinkedQueue<>();
            final long[] tags = new long[SLOTS];
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int first = t * slotsPerThread;
                final SplittableRandom random = new SplittableRandom(SEED + t);
                workers.add(Thread.ofPlatform().start(() ->
                {
                    try (Arena arena = Arena.ofConfined())
                    {
                        final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
                        for (int op = 0; op < 15_000 && failures.isEmpty(); op++)
                        {
                            // slots interleave over the threads, so every stripe and object is shared
                            final int slot = random.nextInt(slotsPerThread) * threads + first / slotsPerThread;
                            final int kind = random.nextInt(10);
                            if (kind < 5)
                            {
                                tags[slot] = random.nextLong(1, Long.MAX_VALUE);
                                Pages.fill(page, tags[slot]);
                                area.store(slot, page);
                            }
                            else if (kind < 9)
                            {
                                if (area.load(slot, page) != (tags[slot] != 0)
                                    || tags[slot] != 0 && !Pages.matches(page, tags[slot]))
                                {
                                    throw new AssertionError("slot " + slot + " op " + op + ": wrong page");
                                }
                            }
                            else
                            {
                                area.invalidatePage(slot);
                                tags[slot] = 0;
                            }
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(ex);
                    }
                }));
            }
            for (final Thread worker : workers)
            {
                worker.join();
            }
            if (!failures.isEmpty())
            {
                throw new AssertionError(failures.peek());
            }
            assertTrue(CounterValues.read(frontswap.counters(), "written_back") > 0);
            assertTheCaseWasExercised((ZcacheBackend)registry.backend(), codec, recompress);
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
                for (int slot = 0; slot < SLOTS; slot++)
                {
                    assertEquals(tags[slot] != 0, area.load(slot, page));
                    assertTrue(tags[slot] == 0 || Pages.matches(page, tags[slot]), "slot " + slot);
                }
            }
        }
    }
}
