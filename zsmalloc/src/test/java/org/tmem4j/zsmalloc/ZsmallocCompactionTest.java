package org.tmem4j.zsmalloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.alloc.CompactionPolicy;
import org.tmem4j.alloc.ObjectPattern;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compaction: after random frees every live handle still reads its exact bytes and every class holds the minimum
 * pages for its live objects; at the budget, a move that needs a page stalls instead of waiting; the background
 * agent compacts on its own.
 */
final class ZsmallocCompactionTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());

    private static int size(final SplittableRandom random)
    {
        return random.nextInt(4) == 0 ? 1 + random.nextInt(4096) :
            (int)Math.max(1, Math.min(4096, 1700 + random.nextGaussian() * 500));
    }

    @Test
    void compactionKeepsEveryObjectAndReachesTheMinimumPages()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        try (Arena arena = Arena.ofConfined(); PageMemory memory = PageMemory.withBudget(512L << 20);
            Zsmalloc allocator = Zsmalloc.create(memory))
        {
            final MemorySegment buffer = arena.allocate(4096);
            final int count = 100_000;
            final long[] handles = new long[count];
            final int[] sizes = new int[count];
            for (int i = 0; i < count; i++)
            {
                sizes[i] = size(random);
                handles[i] = allocator.allocate(sizes[i]);
                ObjectPattern.fill(buffer, SEED, i, sizes[i]);
                allocator.write(handles[i], buffer, 0);
            }
            final boolean[] live = new boolean[count];
            for (int i = 0; i < count; i++)
            {
                live[i] = random.nextInt(10) < 3;
                if (!live[i])
                {
                    allocator.free(handles[i]);
                }
            }
            final ZsmallocStats before = allocator.classStats();
            assertTrue(before.freeable() > 0, "random frees must leave something to compact");
            final long freed = allocator.compact();
            final ZsmallocStats after = allocator.classStats();
            assertEquals(before.pagesUsed() - after.pagesUsed(), freed, "compact() answers the pages it freed");
            assertEquals(freed, after.pagesCompacted());
            assertEquals(memory.stats().pagesInUse(), after.pagesUsed());
            for (final ClassStats row : after.classes())
            {
                assertEquals(allocator.layout().minimumChunks(row.index(), row.objUsed()), row.chunksUsed(),
                    "class " + row.index() + " after compaction; seed " + SEED);
            }
            final int perPage = 4096 / allocator.layout().chunkSize();
            assertEquals((after.chunksUsed() + perPage - 1) / perPage, after.pagesUsed(),
                "the pool's pages after compaction; seed " + SEED);
            final MemorySegment expected = arena.allocate(4096);
            for (int i = 0; i < count; i++)
            {
                if (live[i])
                {
                    allocator.read(handles[i], buffer, 0);
                    if (ObjectPattern.mismatch(buffer, expected, SEED, i, sizes[i]) >= 0)
                    {
                        fail("object " + i + " differs after compaction; seed " + SEED);
                    }
                }
            }
            assertEquals(0, allocator.compact(), "a second compaction has nothing left to free");
        }
    }

    @Test
    void compactionAtTheBudgetStallsAndResumesWhenAPageIsFree()
    {
        try (Arena arena = Arena.ofConfined();
            PageMemory memory = PageMemory.builder().budgetBytes(1 << 20).slabBytes(64 << 10).build();
            Zsmalloc allocator = Zsmalloc.builder(memory).layout(ClassLayout.of(64, 64, 4096)).build())
        {
            final ClassLayout layout = allocator.layout();
            final int cls = layout.classOf(1500);
            final int slot = layout.slotSize(cls);
            final int perZspage = layout.objectsPerZspage(cls);
            assertTrue(layout.pagesPerZspage(cls) > 1, "the test needs a class with multi-page zspages");
            final MemorySegment buffer = arena.allocate(4096);
            // zspage A full, zspage B filled to just before the slot that needs its next page
            final int inB = (int)((long)(layout.pagesPerZspage(cls) - 1) * 4096 / slot);
            assertTrue(inB > 1 && inB < perZspage, "the test needs the last page of B to be untouched");
            final long[] handles = new long[perZspage + inB];
            for (int i = 0; i < handles.length; i++)
            {
                handles[i] = allocator.allocate(slot);
                ObjectPattern.fill(buffer, 7, i, slot);
                allocator.write(handles[i], buffer, 0);
            }
            // A keeps one object: it is the sparsest, B the fullest, and B's lowest free slot needs a page
            for (int i = 1; i < perZspage; i++)
            {
                allocator.free(handles[i]);
            }
            // the pool keeps one emptied page as a spare: an object of another class takes it
            final long other = allocator.allocate(4096);
            final List<Integer> hoarded = new ArrayList<>();
            for (int page = memory.allocate(); page != PageMemory.NO_PAGE; page = memory.allocate())
            {
                hoarded.add(page);
            }
            final long pagesBefore = allocator.classStats().pagesUsed();
            allocator.compact();
            final ZsmallocStats stalled = allocator.classStats();
            assertTrue(stalled.compactionStalls() >= 1, "compaction needing a page at the budget must stall");
            assertEquals(pagesBefore, stalled.pagesUsed());
            hoarded.forEach(memory::free);
            allocator.compact();
            final ClassStats row = allocator.classStats().classes().get(cls);
            assertEquals(layout.minimumChunks(cls, row.objUsed()), row.chunksUsed());
            final MemorySegment expected = arena.allocate(4096);
            for (int i = 0; i < handles.length; i = i == 0 ? perZspage : i + 1)
            {
                allocator.read(handles[i], buffer, 0);
                assertEquals(-1, ObjectPattern.mismatch(buffer, expected, 7, i, slot), "object " + i);
            }
            allocator.free(other);
        }
    }

    @Test
    void thePolicyCompactsInTheBackgroundWhenEnoughPagesAreFreeable() throws InterruptedException
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final CompactionPolicy policy = new CompactionPolicy(5, Duration.ofMillis(1));
        try (PageMemory memory = PageMemory.withBudget(64L << 20);
            Zsmalloc allocator = Zsmalloc.builder(memory).compaction(policy).build();
            Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(4096);
            final MemorySegment expected = arena.allocate(4096);
            final List<Long> handles = new ArrayList<>();
            final List<Integer> sizes = new ArrayList<>();
            for (int i = 0; i < 20_000; i++)
            {
                final int size = size(random);
                final long handle = allocator.allocate(size);
                ObjectPattern.fill(buffer, 11, i, size);
                allocator.write(handle, buffer, 0);
                handles.add(handle);
                sizes.add(size);
            }
            for (int i = 0; i < handles.size(); i += 2)
            {
                allocator.free(handles.get(i));
            }
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // the agent may have compacted while the frees went on: wait for it to catch up with the last of them
            while ((allocator.stats().detail("policy_compactions") == 0 ||
                policy.shouldCompact(allocator.classStats().freeable(), allocator.classStats().pagesUsed())) &&
                System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            final AllocatorStats stats = allocator.stats();
            assertTrue(stats.detail("policy_compactions") >= 1, "the policy never compacted: " + stats);
            assertTrue(stats.detail("policy_pages_compacted") > 0, stats.toString());
            assertEquals(0, stats.detail("policy_compaction_errors"));
            final ZsmallocStats after = allocator.classStats();
            assertFalse(policy.shouldCompact(after.freeable(), after.pagesUsed()), "still fragmented: " + after.freeable());
            for (int i = 1; i < handles.size(); i += 2)
            {
                allocator.read(handles.get(i), buffer, 0);
                assertEquals(-1, ObjectPattern.mismatch(buffer, expected, 11, i, sizes.get(i)), "object " + i);
            }
        }
    }
}
