package org.tmem4j.frontend.frontswap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.CounterValues;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Pages;
import org.tmem4j.frontend.zcache.ZcacheBackend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frontswap writeback ({@code frontswap.writeback}) over a real swap file: a full budget writes the coldest pages
 * back to their own slots, decompressed, and frees them in zcache only then; every page loads back bit-exact from
 * wherever it is, and the slot bits say where, with one thread and with four sharing every lock stripe.
 */
class FrontswapWritebackTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", 20261206L);
    private static final int SLOTS = 1024;

    @TempDir
    Path dir;

    private static FrontendsConfig config(final int buckets)
    {
        return FrontendsConfig.builder().budgetBytes(256L << 10).buckets(buckets).writeback(true).checksum(true)
            .build();
    }


    @Test
    void aFullBudgetWritesTheColdestPagesBackAndKeepsTheNewOnes()
    {
        final BackendRegistry registry = new BackendRegistry();
        try (Arena arena = Arena.ofConfined(); Frontswap frontswap = Frontswap.create(registry, config(1)))
        {
            registry.register("zcache", config(1));
            final SwapArea area = frontswap.swapOn(dir.resolve("writeback.swap"), SLOTS);
            final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
            for (int slot = 0; slot < SLOTS; slot++)
            {
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
        }
    }

    @Test
    void randomTrafficWithWritebackLosesNoPage()
    {
        final BackendRegistry registry = new BackendRegistry();
        final SplittableRandom random = new SplittableRandom(SEED);
        try (Arena arena = Arena.ofConfined(); Frontswap frontswap = Frontswap.create(registry, config(256)))
        {
            registry.register("zcache", config(256));
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
            registry.unregister();
            for (int slot = 0; slot < SLOTS; slot++)
            {
                assertEquals(tags[slot] != 0, area.load(slot, page));
                assertTrue(tags[slot] == 0 || Pages.matches(page, tags[slot]), "slot " + slot + " after unregister");
                assertFalse(area.isInBackend(slot));
            }
        }
    }

    @Test
    void threadsStoringLoadingAndInvalidatingWhileTheColdestGoBackLoseNoPage() throws Exception
    {
        final int threads = 4;
        final int slotsPerThread = SLOTS / threads;
        final BackendRegistry registry = new BackendRegistry();
        try (Frontswap frontswap = Frontswap.create(registry, config(16)))
        {
            registry.register("zcache", config(16));
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
