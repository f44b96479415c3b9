package org.tmem4j.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.concurrent.Racers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PageMemoryTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int OPS = Integer.getInteger("tmem4j.ops", 1_000_000);
    private static final long SLAB = 64 << 10;
    private static final int PAGES_PER_SLAB = (int)(SLAB / PageMemory.PAGE_SIZE);

    private static void stamp(final PageMemory memory, final int page, final long tag)
    {
        final MemorySegment slab = memory.segment(page);
        final long base = memory.offset(page);
        slab.set(ValueLayout.JAVA_LONG_UNALIGNED, base, tag);
        slab.set(ValueLayout.JAVA_LONG_UNALIGNED, base + 2048, ~tag);
        slab.set(ValueLayout.JAVA_LONG_UNALIGNED, base + PageMemory.PAGE_SIZE - 8, tag * 31);
    }

    private static void checkStamp(final PageMemory memory, final int page, final long tag, final String context)
    {
        final MemorySegment slab = memory.segment(page);
        final long base = memory.offset(page);
        if (slab.get(ValueLayout.JAVA_LONG_UNALIGNED, base) != tag ||
            slab.get(ValueLayout.JAVA_LONG_UNALIGNED, base + 2048) != ~tag ||
            slab.get(ValueLayout.JAVA_LONG_UNALIGNED, base + PageMemory.PAGE_SIZE - 8) != tag * 31)
        {
            fail(context + ": page " + page + " lost its contents (overlap?); seed " + SEED);
        }
    }

    /**
     * Allocate, free and budget changes against a model that predicts every answer: which pages are live (each
     * holds its own stamp, so overlapping pages would be caught), the exact page count, when NO_PAGE must come, and
     * that the budget is never exceeded. With per-CPU caches the same predictions hold (a cached page is free to
     * anyone), except that a cached page keeps its slab mapped until the caches are drained. Pre-touched, the whole
     * budget is mapped whenever it is set, and empty slabs stay while within it.
     */
    @ParameterizedTest(name = "mmap={0}, cpuCachePages={1}, preTouch={2}")
    @CsvSource({"true, 0, false", "false, 0, false", "true, 32, false", "false, 8, false", "true, 0, true",
        "true, 32, true"})
    void modelBasedRandomOperations(final boolean mmap, final int cpuCachePages, final boolean preTouch)
    {
        final long initialBudget = 3 * SLAB + 5 * PageMemory.PAGE_SIZE;
        try (PageMemory memory = PageMemory.builder().budgetBytes(initialBudget).slabBytes(SLAB).mmap(mmap)
            .retainedEmptySlabs(0).cpuCachePages(cpuCachePages).preTouch(preTouch).build())
        {
            if (preTouch)
            {
                assertEquals(initialBudget, memory.stats().reservedBytes(), "the whole budget mapped at build");
            }
            final SplittableRandom random = new SplittableRandom(SEED);
            final List<Integer> live = new ArrayList<>();
            final List<Long> tags = new ArrayList<>();
            final BitSet liveSet = new BitSet();
            long budget = initialBudget;
            int noPage = 0;
            for (int op = 0; op < OPS; op++)
            {
                final String context = "op " + op;
                final boolean filling = (op / 20_000) % 2 == 0;
                final int dice = random.nextInt(1000);
                if (dice < (filling ? 600 : 400))
                {
                    final PageMemoryStats before = memory.stats();
                    final boolean mustFail = before.pagesInUse() * PageMemory.PAGE_SIZE == before.reservedBytes() &&
                        before.reservedBytes() + PageMemory.PAGE_SIZE > budget;
                    final int page = memory.allocate();
                    if (page == PageMemory.NO_PAGE)
                    {
                        assertTrue(mustFail, context + ": NO_PAGE with room left " + before + "; seed " + SEED);
                        noPage++;
                    }
                    else
                    {
                        assertFalse(mustFail, context + ": a page beyond the budget; seed " + SEED);
                        assertFalse(liveSet.get(page), context + ": page " + page + " handed out twice");
                        liveSet.set(page);
                        live.add(page);
                        final long tag = random.nextLong();
                        tags.add(tag);
                        stamp(memory, page, tag);
                    }
                }
                else if (dice < 995)
                {
                    if (!live.isEmpty())
                    {
                        final int i = random.nextInt(live.size());
                        final int page = live.get(i);
                        checkStamp(memory, page, tags.get(i), context);
                        memory.free(page);
                        liveSet.clear(page);
                        final int last = live.size() - 1;
                        live.set(i, live.get(last));
                        tags.set(i, tags.get(last));
                        live.remove(last);
                        tags.remove(last);
                    }
                }
                else
                {
                    budget = PageMemory.PAGE_SIZE * (long)random.nextInt(4 * PAGES_PER_SLAB);
                    memory.budgetBytes(budget);
                    if (preTouch)
                    {
                        assertTrue(memory.stats().reservedBytes() >= budget,
                            context + ": a pre-touched budget not mapped " + memory.stats());
                    }
                }
                final PageMemoryStats stats = memory.stats();
                assertEquals(live.size(), stats.pagesInUse(), context);
                assertTrue(stats.reservedBytes() <= Math.max(budget, stats.highWaterReservedBytes()),
                    context + ": reserved above every budget");
                if (stats.reservedBytes() > budget && cpuCachePages == 0)
                {
                    // only memory mapped before the budget was lowered may stay above it, and only while in use:
                    // no empty slab is kept, so every slab holds at least one live page
                    assertTrue(stats.slabs() <= stats.pagesInUse(), context + ": empty slab kept above the budget " +
                        stats);
                }
                if (op % 50_000 == 0)
                {
                    for (int i = 0; i < live.size(); i++)
                    {
                        checkStamp(memory, live.get(i), tags.get(i), context + " sweep");
                    }
                }
            }
            assertTrue(noPage > 0, "the budget was never reached");
            for (int i = 0; i < live.size(); i++)
            {
                checkStamp(memory, live.get(i), tags.get(i), "end");
                memory.free(live.get(i));
            }
            // lowering the budget (here: setting it again) gives cached pages back, so empty slabs can go
            memory.budgetBytes(budget);
            final PageMemoryStats end = memory.stats();
            assertEquals(0, end.pagesInUse());
            if (preTouch)
            {
                assertEquals(budget, end.reservedBytes(), "pre-touched: the budget stays mapped, empty: " + end);
            }
            else
            {
                assertEquals(0, end.slabs(), "every empty slab goes back to the OS: " + end);
                assertEquals(0, end.reservedBytes());
            }
            assertTrue(end.slabsReleased() > 0);
            System.out.printf("page memory model test (mmap=%s, mapped=%s, cpuCachePages=%d, preTouch=%s): seed %d, " +
                "%d ops, %d NO_PAGE, %s%n", mmap, memory.isMapped(), cpuCachePages, preTouch, SEED, OPS, noPage, end);
        }
    }

    @Test
    void aDrainedSlabGoesBackToTheOsAndAShrinkingWorkloadShrinks()
    {
        try (PageMemory memory = PageMemory.builder().budgetBytes(16 * SLAB).slabBytes(SLAB).retainedEmptySlabs(1)
            .cpuCachePages(0).build())
        {
            final int[] pages = new int[4 * PAGES_PER_SLAB];
            for (int i = 0; i < pages.length; i++)
            {
                pages[i] = memory.allocate();
            }
            assertEquals(4, memory.stats().slabs());
            assertEquals(4 * SLAB, memory.stats().reservedBytes());
            // drain the top two slabs: one is kept as the spare, the other is unmapped
            for (int i = 2 * PAGES_PER_SLAB; i < pages.length; i++)
            {
                memory.free(pages[i]);
            }
            assertEquals(3, memory.stats().slabs());
            assertEquals(1, memory.stats().slabsReleased());
            // the next page comes from the lowest slab with room: none below the spare, so the spare is reused
            final int again = memory.allocate();
            assertEquals(3, memory.stats().slabs());
            memory.free(again);
            for (int i = 0; i < 2 * PAGES_PER_SLAB; i++)
            {
                memory.free(pages[i]);
            }
            assertEquals(1, memory.stats().slabs(), "all but the one spare slab are returned");
            assertEquals(SLAB, memory.stats().reservedBytes());
            assertEquals(4 * PAGES_PER_SLAB, memory.stats().highWaterPages());
            assertEquals(4 * SLAB, memory.stats().highWaterReservedBytes());
        }
    }

    @Test
    void lastSlabIsCutShortSoTheBudgetIsNeverExceeded()
    {
        final long budget = SLAB + 3 * PageMemory.PAGE_SIZE + 100;
        try (PageMemory memory = PageMemory.builder().budgetBytes(budget).slabBytes(SLAB).build())
        {
            int pages = 0;
            while (memory.allocate() != PageMemory.NO_PAGE)
            {
                pages++;
            }
            assertEquals(PAGES_PER_SLAB + 3, pages);
            assertEquals(SLAB + 3 * PageMemory.PAGE_SIZE, memory.stats().reservedBytes());
            assertEquals(1, memory.stats().failedAllocations());
            assertEquals(0, memory.availablePages());
        }
    }

    /** {@code follows}, answered from the ids, agrees with where the pages lie: the next page of the same slab only. */
    @Test
    void aPageFollowsAnotherExactlyWhereItStartsAtItsEnd()
    {
        try (PageMemory memory = PageMemory.builder().budgetBytes(3 * SLAB).slabBytes(SLAB).build())
        {
            final List<Integer> pages = new ArrayList<>();
            for (int page = memory.allocate(); page != PageMemory.NO_PAGE; page = memory.allocate())
            {
                pages.add(page);
            }
            assertEquals(3 * PAGES_PER_SLAB, pages.size());
            int following = 0;
            for (final int page : pages)
            {
                for (final int next : pages)
                {
                    final boolean adjacent = memory.segment(next) == memory.segment(page)
                        && memory.offset(next) == memory.offset(page) + PageMemory.PAGE_SIZE;
                    assertEquals(adjacent, memory.follows(page, next), page + " then " + next);
                    following += adjacent ? 1 : 0;
                }
            }
            // every page but the last of each slab has one that follows it
            assertEquals(3 * (PAGES_PER_SLAB - 1), following);
        }
    }

    /**
     * Pre-touch maps and writes the whole budget at build, which the process's resident memory shows at once; empty
     * slabs then stay mapped, a raised budget is mapped at once too, and a lowered one gives empty slabs back.
     */
    @Test
    void preTouchMapsAndWritesTheWholeBudgetAndKeepsItWhileWithinIt()
    {
        final long residentBefore = ProcessMemory.residentBytes();
        assumeTrue(residentBefore >= 0, "needs /proc/self/status to see resident memory");
        final long budget = (32L << 20) + 3 * PageMemory.PAGE_SIZE;
        try (PageMemory memory = PageMemory.builder().budgetBytes(budget).preTouch(true).build())
        {
            final long grown = ProcessMemory.residentBytes() - residentBefore;
            assertTrue(grown >= budget * 3 / 4, "resident memory grew by " + grown + " bytes, not the budget's " +
                budget + ": the budget was mapped but not written");
            assertEquals(budget, memory.stats().reservedBytes());
            final List<Integer> pages = new ArrayList<>();
            for (int page = memory.allocate(); page != PageMemory.NO_PAGE; page = memory.allocate())
            {
                pages.add(page);
            }
            assertEquals(budget / PageMemory.PAGE_SIZE, pages.size(), "every page of the budget, and no more");
            pages.forEach(memory::free);
            // giving the cached pages back leaves every slab empty, and still mapped
            memory.budgetBytes(budget);
            assertEquals(budget, memory.stats().reservedBytes());
            assertEquals(0, memory.stats().slabsReleased());
            memory.budgetBytes(budget + (4L << 20));
            assertEquals(budget + (4L << 20), memory.stats().reservedBytes(), "a raised budget is mapped at once");
            memory.budgetBytes(8L << 20);
            assertEquals(8L << 20, memory.stats().reservedBytes(), "a lowered budget gives empty slabs back");
            assertTrue(memory.stats().slabsReleased() > 0);
        }
    }

    /**
     * Threads taking and giving pages at once, each page stamped and checked before it goes back: with 8 threads on
     * a machine of fewer cores, threads lose their CPU while holding a per-CPU cache, so others skip it for the next
     * one or the slabs; with a budget of two slabs, the caches' batches run dry and every cache is drained for the
     * last pages. A page handed to two threads at once would fail a check.
     */
    @ParameterizedTest(name = "{0} threads, {1} slabs")
    @CsvSource({"4, 8", "8, 2"})
    void concurrentAllocationAndReleaseKeepPagesPrivate(final int threads, final int slabs) throws Exception
    {
        try (PageMemory memory = PageMemory.builder().budgetBytes(slabs * SLAB).slabBytes(SLAB).build())
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int id = t;
                workers.add(Thread.ofPlatform().start(() ->
                {
                    final SplittableRandom random = new SplittableRandom(SEED + id);
                    final List<Integer> mine = new ArrayList<>();
                    final List<Long> tags = new ArrayList<>();
                    try
                    {
                        start.await();
                        for (int op = 0; op < OPS / 8; op++)
                        {
                            if (random.nextBoolean() || mine.isEmpty())
                            {
                                final int page = memory.allocate();
                                if (page != PageMemory.NO_PAGE)
                                {
                                    final long tag = random.nextLong();
                                    stamp(memory, page, tag);
                                    mine.add(page);
                                    tags.add(tag);
                                }
                            }
                            else
                            {
                                final int i = random.nextInt(mine.size());
                                checkStamp(memory, mine.get(i), tags.get(i), "thread " + id);
                                memory.free(mine.get(i));
                                mine.set(i, mine.getLast());
                                tags.set(i, tags.getLast());
                                mine.removeLast();
                                tags.removeLast();
                            }
                        }
                        for (int i = 0; i < mine.size(); i++)
                        {
                            checkStamp(memory, mine.get(i), tags.get(i), "thread " + id + " end");
                            memory.free(mine.get(i));
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }));
            }
            start.countDown();
            for (final Thread worker : workers)
            {
                worker.join();
            }
            if (failure.get() != null)
            {
                throw new AssertionError("seed " + SEED, failure.get());
            }
            final PageMemoryStats stats = memory.stats();
            assertEquals(0, stats.pagesInUse());
            assertTrue(stats.highWaterReservedBytes() <= slabs * SLAB);
        }
    }

    /**
     * Several threads free every page of a set at once, each in its own order, on whatever CPU they run, and over
     * several rounds (pages come back from the caches of other CPUs): of the frees of one page exactly one succeeds
     * and every other is refused as a double free, whichever cache or path took the page. A page handed out again
     * starts with 8 zero bytes (its free mark cleared), whatever its last user left there.
     */
    @ParameterizedTest(name = "cpuCachePages={0}")
    @CsvSource({"32", "4", "0"})
    void concurrentDoubleFreesLetExactlyOneFreeThrough(final int cpuCachePages) throws Exception
    {
        final int threads = 4;
        final int pages = 256;
        try (PageMemory memory = PageMemory.builder().budgetBytes(20 * SLAB).slabBytes(SLAB)
            .cpuCachePages(cpuCachePages).build())
        {
            final SplittableRandom random = new SplittableRandom(SEED);
            for (int round = 0; round < 40; round++)
            {
                final int[] taken = new int[pages];
                for (int i = 0; i < pages; i++)
                {
                    taken[i] = memory.allocate();
                    final MemorySegment slab = memory.segment(taken[i]);
                    assertEquals(0, slab.get(ValueLayout.JAVA_LONG, memory.offset(taken[i])),
                        "page " + taken[i] + " handed out with its first bytes set; seed " + SEED);
                    // what a user may leave in a page: anything, the values of other pages' first words included
                    slab.set(ValueLayout.JAVA_LONG, memory.offset(taken[i]), random.nextLong());
                }
                final int[][] orders = new int[threads][];
                for (int t = 0; t < threads; t++)
                {
                    orders[t] = shuffled(taken, random);
                }
                final AtomicIntegerArray successes = new AtomicIntegerArray(pages);
                final Map<Integer, Integer> indexOf = new HashMap<>();
                for (int i = 0; i < pages; i++)
                {
                    indexOf.put(taken[i], i);
                }
                final AtomicReference<Throwable> failure = new AtomicReference<>();
                final CountDownLatch start = new CountDownLatch(1);
                final List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++)
                {
                    final int[] order = orders[t];
                    workers.add(Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
                    {
                        for (final int page : order)
                        {
                            try
                            {
                                memory.free(page);
                                successes.incrementAndGet(indexOf.get(page));
                            }
                            catch (final IllegalArgumentException ex)
                            {
                                if (!ex.getMessage().contains("page " + page + " is not allocated"))
                                {
                                    throw ex;
                                }
                            }
                        }
                    })));
                }
                start.countDown();
                for (final Thread worker : workers)
                {
                    worker.join();
                }
                if (failure.get() != null)
                {
                    throw new AssertionError("seed " + SEED, failure.get());
                }
                for (int i = 0; i < pages; i++)
                {
                    assertEquals(1, successes.get(i), "frees of page " + taken[i] + " that succeeded, round " +
                        round + "; seed " + SEED);
                    assertFalse(memory.isAllocated(taken[i]));
                }
                assertEquals(0, memory.stats().pagesInUse());
            }
        }
    }

    /**
     * Frees of stale ids race the release of the slab they point into: one thread fills its two slabs and empties
     * them again, so each slab goes back to the operating system and is mapped anew, over and over, while others
     * free every id of those slabs in a loop. A free that looked its slab up before the release and marks the page
     * after it is a double free like any other: refused with {@link IllegalArgumentException}, never an
     * {@link IllegalStateException} of the closed memory. (A stale free may also take a page its owner still
     * holds, whose own free is then refused: the count of pages in use still comes out at zero.)
     */
    @Test
    void staleFreesRacingTheirSlabsReleaseAreRefusedAsDoubleFrees() throws Exception
    {
        final int slabs = 2;
        final int owners = 1;
        final int staleFreers = 3;
        final int rounds = 4_000;
        try (PageMemory memory = PageMemory.builder().budgetBytes(slabs * SLAB).slabBytes(SLAB).retainedEmptySlabs(0)
            .cpuCachePages(2).build())
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean ownersDone = new AtomicBoolean();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> owner = new ArrayList<>();
            final List<Thread> freers = new ArrayList<>();
            for (int t = 0; t < owners; t++)
            {
                owner.add(Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
                {
                    final int[] held = new int[slabs * PAGES_PER_SLAB];
                    for (int round = 0; round < rounds && failure.get() == null; round++)
                    {
                        int count = 0;
                        for (int page; count < held.length && (page = memory.allocate()) != PageMemory.NO_PAGE; )
                        {
                            held[count++] = page;
                        }
                        for (int i = 0; i < count; i++)
                        {
                            freeOrRefused(memory, held[i]);
                        }
                    }
                })));
            }
            for (int t = 0; t < staleFreers; t++)
            {
                freers.add(Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
                {
                    while (!ownersDone.get() && failure.get() == null)
                    {
                        for (int page = 0; page < slabs * PAGES_PER_SLAB; page++)
                        {
                            freeOrRefused(memory, page);
                        }
                    }
                })));
            }
            start.countDown();
            for (final Thread thread : owner)
            {
                thread.join();
            }
            ownersDone.set(true);
            for (final Thread thread : freers)
            {
                thread.join();
            }
            if (failure.get() != null)
            {
                throw new AssertionError("seed " + SEED, failure.get());
            }
            assertEquals(0, memory.stats().pagesInUse());
        }
    }

    private static void freeOrRefused(final PageMemory memory, final int page)
    {
        try
        {
            memory.free(page);
        }
        catch (final IllegalArgumentException ex)
        {
            if (!ex.getMessage().contains("page " + page + " is not allocated"))
            {
                throw ex;
            }
        }
    }

    private static int[] shuffled(final int[] values, final SplittableRandom random)
    {
        final int[] copy = values.clone();
        for (int i = copy.length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int swap = copy[i];
            copy[i] = copy[j];
            copy[j] = swap;
        }
        return copy;
    }

    @Test
    void badPageIdsAreRejectedWithoutDamage()
    {
        try (PageMemory memory = PageMemory.builder().budgetBytes(4 * SLAB).slabBytes(SLAB).build())
        {
            final int page = memory.allocate();
            stamp(memory, page, 42);
            final int freed = memory.allocate();
            memory.free(freed);
            for (final int bad : new int[]{-1, Integer.MIN_VALUE, Integer.MAX_VALUE, freed, page + PAGES_PER_SLAB,
                page + 7 * PAGES_PER_SLAB})
            {
                final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> memory.free(bad));
                assertTrue(ex.getMessage().contains(String.valueOf(bad)), ex.getMessage());
            }
            assertThrows(IllegalStateException.class, () -> memory.segment(page + 7 * PAGES_PER_SLAB));
            assertThrows(IllegalStateException.class, () -> memory.segment(-1));
            checkStamp(memory, page, 42, "after bad frees");
            assertEquals(1, memory.stats().pagesInUse());
        }
    }

    @Test
    void badSettingsNameTheAllowedValues()
    {
        final IllegalArgumentException budget =
            assertThrows(IllegalArgumentException.class, () -> PageMemory.builder().budgetBytes(-1));
        assertTrue(budget.getMessage().contains("-1") && budget.getMessage().contains(">= 0"), budget.getMessage());
        final IllegalArgumentException slab =
            assertThrows(IllegalArgumentException.class, () -> PageMemory.builder().slabBytes(100_000));
        assertTrue(slab.getMessage().contains("power of two"), slab.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PageMemory.builder().retainedEmptySlabs(-2));
        for (final int bad : new int[]{-2, 3, 1026})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> PageMemory.builder().cpuCachePages(bad));
            assertTrue(ex.getMessage().contains("cpuCachePages must be an even number from 0 to 1024"), ex.getMessage());
        }
    }

    @Test
    void stalePageOfAReleasedSlabIsIllegalStateNotACrash()
    {
        try (PageMemory memory = PageMemory.builder().budgetBytes(4 * SLAB).slabBytes(SLAB).retainedEmptySlabs(0)
            .cpuCachePages(0).build())
        {
            final int page = memory.allocate();
            final MemorySegment slab = memory.segment(page);
            final long offset = memory.offset(page);
            memory.free(page);
            assertEquals(0, memory.stats().slabs());
            assertThrows(IllegalStateException.class, () -> slab.get(ValueLayout.JAVA_LONG, offset));
            assertThrows(IllegalStateException.class, () -> memory.segment(page));
        }
    }

    @Test
    void closeReturnsEveryByteAndLaterUseIsIllegalState()
    {
        final PageMemory memory = PageMemory.builder().budgetBytes(4 * SLAB).slabBytes(SLAB).build();
        final int page = memory.allocate();
        final MemorySegment slab = memory.segment(page);
        assertNotEquals(0, memory.stats().reservedBytes());
        memory.close();
        assertTrue(memory.isClosed());
        assertEquals(0, memory.stats().reservedBytes());
        assertEquals(0, memory.stats().slabs());
        assertThrows(IllegalStateException.class, memory::allocate);
        assertThrows(IllegalStateException.class, () -> memory.free(page));
        assertThrows(IllegalStateException.class, () -> memory.segment(page));
        assertThrows(IllegalStateException.class, () -> memory.budgetBytes(1));
        assertThrows(IllegalStateException.class, () -> slab.get(ValueLayout.JAVA_BYTE, 0));
        memory.close();
    }
}
