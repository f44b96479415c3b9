package org.tmem4j.zsmalloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.ObjectLocation;
import org.tmem4j.alloc.ObjectPattern;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A page's worth of a zspage's run, once complete, is gathered into a pool page of its own, in order, so that the
 * objects inside it are read in place although the classes filling at once took turns on the same pages: two classes
 * taking turns, every object of the first that lies within one completed page's worth is pinned in pool memory by
 * {@link Zsmalloc#locate}, every object of both byte-exact, and the pool holds no more pages than the chunks need (the
 * free chunks a gathering leaves are packed); and the gathering, which moves bytes, leaves a page's worth where it
 * is while a reader is pinned, and gathers it once the reader has left.
 */
final class ZsmallocPageGatheringTest
{
    private static final long SEED = 11;
    private static final int PAGE = PageMemory.PAGE_SIZE;
    /** Slot sizes of two classes whose objects cross chunk edges. */
    private static final int FIRST = 768;
    private static final int SECOND = 1200;

    @Test
    void completedPagesOfTwoClassesTakingTurnsAreReadInPlace()
    {
        try (Arena arena = Arena.ofConfined(); PageMemory memory = PageMemory.withBudget(64L << 20);
            Zsmalloc allocator = Zsmalloc.builder(memory).shardsPerClass(1).build())
        {
            final int count = 600;
            final long[] first = new long[count];
            final long[] second = new long[count];
            final MemorySegment buffer = arena.allocate(PAGE);
            for (int i = 0; i < count; i++)
            {
                first[i] = store(allocator, buffer, FIRST, i);
                second[i] = store(allocator, buffer, SECOND, count + i);
            }
            final ClassLayout layout = ClassLayout.DEFAULT;
            final int perZspage = layout.objectsPerZspage(layout.classOf(FIRST));
            final MemorySegment scratch = arena.allocate(PAGE);
            final ObjectLocation where = new ObjectLocation();
            int expectedInPlace = 0;
            for (int i = 0; i < count; i++)
            {
                // one shard, nothing freed: object i is slot i % perZspage of zspage i / perZspage
                final int slot = i % perZspage;
                final int highest = Math.min(count - 1, (i / perZspage + 1) * perZspage - 1) % perZspage;
                final long start = (long)slot * FIRST;
                final long group = start / PAGE;
                final boolean inOneGroup = (start + FIRST - 1) / PAGE == group;
                final long reached = ((long)highest * FIRST + FIRST - 1) / 512;
                final boolean groupComplete = reached >= (group + 1) * (PAGE / 512) - 1;
                allocator.locate(first[i], scratch, where);
                try
                {
                    assertEquals(-1, ObjectPattern.mismatch(where.segment().asSlice(where.offset(), FIRST),
                        buffer, SEED, i, FIRST), "object " + i + " differs");
                    if (inOneGroup && groupComplete)
                    {
                        expectedInPlace++;
                        assertNotEquals(ObjectLocation.NO_PIN, where.pin(), "object " + i + " (slot " + slot +
                            ") lies in a completed page's worth of its zspage but was gathered into scratch");
                    }
                }
                finally
                {
                    allocator.unpin(where);
                }
            }
            assertTrue(expectedInPlace > count / 2, "too few objects checked: " + expectedInPlace);
            assertTrue(allocator.stats().detail("pages_gathered") > 0, "no page gathering counted");
            for (int i = 0; i < count; i++)
            {
                allocator.read(second[i], buffer, 0);
                assertEquals(-1, ObjectPattern.mismatch(buffer, scratch, SEED, count + i, SECOND),
                    "object " + (count + i) + " differs");
            }
            final ZsmallocStats stats = allocator.classStats();
            assertEquals(memory.stats().pagesInUse(), stats.pagesUsed());
            // the free chunks each gathering leaves in shared pages were packed: no more pages than the chunks need,
            // plus the pool's one spare
            final long fewest = (stats.chunksUsed() + 7) / 8;
            assertTrue(stats.pagesUsed() <= fewest + 1, stats.pagesUsed() + " pages held for " + stats.chunksUsed() +
                " chunks: the gathering's free chunks were not packed");
        }
    }

    @Test
    void aPinnedObjectStaysInPlaceAndItsPageIsGatheredAfterTheReaderLeaves()
    {
        try (Arena arena = Arena.ofConfined(); PageMemory memory = PageMemory.withBudget(16L << 20);
            Zsmalloc allocator = Zsmalloc.builder(memory).shardsPerClass(1).build())
        {
            final MemorySegment buffer = arena.allocate(PAGE);
            final MemorySegment patternScratch = arena.allocate(PAGE);
            // a small object within the first chunk: read in place before any gathering
            final int small = 96;
            final long pinnedHandle = store(allocator, buffer, small, 0);
            final long other = store(allocator, buffer, SECOND, 1);
            final ObjectLocation where = new ObjectLocation();
            allocator.locate(pinnedHandle, arena.allocate(PAGE), where);
            assertNotEquals(ObjectLocation.NO_PIN, where.pin(), "an object within one chunk is read in place");
            final long pinnedAddress = where.segment().address() + where.offset();
            final List<Long> handles = new ArrayList<>(List.of(pinnedHandle, other));
            final List<Integer> sizes = new ArrayList<>(List.of(small, SECOND));
            try
            {
                for (int i = 0; i < PAGE / small; i++)
                {
                    // the other class takes a chunk in between, so the first page's worth is scattered
                    handles.add(store(allocator, buffer, SECOND, handles.size()));
                    sizes.add(SECOND);
                    handles.add(store(allocator, buffer, small, handles.size()));
                    sizes.add(small);
                }
                // the reader is in (this thread, holding its pin): a gathering would wait for it, so none is made
                assertEquals(0, allocator.stats().detail("pages_gathered"),
                    "a page's worth was gathered while an object in it was pinned");
                final MemorySegment pinned = where.segment().asSlice(where.offset(), where.length());
                assertEquals(-1, ObjectPattern.mismatch(pinned, buffer, SEED, 0, small), "pinned bytes changed");
            }
            finally
            {
                allocator.unpin(where);
            }
            // the next page's worth the class completes gathers, and the ones left scattered with it
            for (int i = 0; i < 2 * PAGE / small && allocator.stats().detail("pages_gathered") == 0; i++)
            {
                handles.add(store(allocator, buffer, small, handles.size()));
                sizes.add(small);
            }
            assertTrue(allocator.stats().detail("pages_gathered") > 0, "no page gathered after the reader left");
            allocator.locate(pinnedHandle, arena.allocate(PAGE), where);
            try
            {
                assertNotEquals(pinnedAddress, where.segment().address() + where.offset(),
                    "the once pinned object's scattered page's worth was not gathered when the reader had left");
            }
            finally
            {
                allocator.unpin(where);
            }
            for (int i = 0; i < handles.size(); i++)
            {
                allocator.read(handles.get(i), buffer, 0);
                assertEquals(-1, ObjectPattern.mismatch(buffer, patternScratch, SEED, i, sizes.get(i)),
                    "object " + i + " differs");
            }
        }
    }

    private static long store(final Zsmalloc allocator, final MemorySegment buffer, final int size, final long id)
    {
        final long handle = allocator.allocate(size);
        assertTrue(handle > 0, "allocate failed for object " + id);
        ObjectPattern.fill(buffer, SEED, id, size);
        allocator.write(handle, buffer, 0);
        return handle;
    }
}
