package org.tmem4j.zbud;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.AllocatorProvider;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectPattern;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * zbud's own rules: the layout and its limits, and what the error messages say about bad sizes and bad handles.
 */
final class ZbudAllocatorTest
{
    private Arena arena;
    private PageMemory memory;
    private ZbudAllocator allocator;
    private MemorySegment buffer;
    private MemorySegment expected;

    @BeforeEach
    void setUp()
    {
        arena = Arena.ofConfined();
        memory = PageMemory.withBudget(1 << 20);
        allocator = new ZbudAllocator(memory, 1);
        buffer = arena.allocate(PageMemory.PAGE_SIZE);
        expected = arena.allocate(PageMemory.PAGE_SIZE);
    }

    @AfterEach
    void tearDown()
    {
        allocator.close();
        memory.close();
        arena.close();
    }

    private long store(final long id, final int size)
    {
        final long handle = allocator.allocate(size);
        assertTrue(handle > 0, "allocate(" + size + ") = " + handle);
        ObjectPattern.fill(expected, 0, id, size);
        allocator.write(handle, expected, 0);
        return handle;
    }

    private void check(final long handle, final long id, final int size)
    {
        assertEquals(size, allocator.size(handle));
        allocator.read(handle, buffer, 0);
        assertEquals(-1, ObjectPattern.mismatch(buffer, expected, 0, id, size), "object " + id);
    }

    @Test
    void isFoundByNameAndTakesWholePageObjects()
    {
        assertInstanceOf(ZbudAllocator.class, AllocatorProvider.named("zbud").create(memory)).close();
        assertEquals(PageMemory.PAGE_SIZE, allocator.maxStoredSize());
        assertEquals(0, allocator.compact());
        final long whole = store(1, PageMemory.PAGE_SIZE);
        check(whole, 1, PageMemory.PAGE_SIZE);
        store(2, 1);
        assertEquals(2, allocator.stats().pagesUsed(), "nothing pairs with a whole-page object");
        assertEquals(0L, allocator.stats().detail("buddied"), "buddied counts pages with two objects");
        assertEquals(2L, allocator.stats().detail("unbuddied"));
    }

    @Test
    void twoBuddiesShareAPageOnlyWhenTheirChunksFit()
    {
        final long a = store(1, 2048);
        final long b = store(2, 2048);
        assertEquals(1, allocator.stats().pagesUsed());
        assertEquals(PageMemory.PAGE_SIZE - 2048,
            allocator.view(b, buffer).address() - allocator.view(a, buffer).address());
        final long c = store(3, 2049);
        final long d = store(4, 2047);
        assertEquals(3, allocator.stats().pagesUsed(), "33 + 32 chunks do not fit in 64");
        final long e = store(5, 1984);
        assertEquals(3, allocator.stats().pagesUsed(), "31 chunks fill the 2049-byte object's page");
        assertEquals(ZbudHandle.slot(c), ZbudHandle.slot(e));
        assertEquals(PageTable.LAST, ZbudHandle.buddy(e));
        check(a, 1, 2048);
        check(b, 2, 2048);
        check(c, 3, 2049);
        check(d, 4, 2047);
        check(e, 5, 1984);
        assertEquals(2L, allocator.stats().detail("buddied"));
        assertEquals(1L, allocator.stats().detail("unbuddied"));
    }

    @Test
    void bestFitTakesTheTightestHole()
    {
        final long roomy = store(1, 2100);
        final long tight = store(2, 3000);
        final long middle = store(3, 2500);
        assertEquals(3, allocator.stats().pagesUsed(), "33, 47 and 40 chunks pair with none of the others");
        final long small = store(4, 1000);
        assertEquals(ZbudHandle.slot(tight), ZbudHandle.slot(small), "16 chunks go to the hole of 17, not 24 or 31");
        final long large = store(5, 1900);
        assertEquals(ZbudHandle.slot(roomy), ZbudHandle.slot(large), "30 chunks fit only the hole of 31");
        assertEquals(3, allocator.stats().pagesUsed());
        assertEquals(PageTable.FIRST, ZbudHandle.buddy(middle));
    }

    @Test
    void badSizesNameTheAllowedRange()
    {
        for (final int size : new int[]{0, -7, PageMemory.PAGE_SIZE + 1})
        {
            final String message = assertThrows(IllegalArgumentException.class, () -> allocator.allocate(size))
                .getMessage();
            assertTrue(message.contains("from 1 to 4096") && message.contains("was " + size), message);
        }
    }

    @Test
    void staleHandlesAreRejectedEvenWhenTheirSlotHoldsANewPage()
    {
        final long old = store(1, 3000);
        allocator.free(old);
        assertEquals(0, allocator.stats().pagesUsed());
        final long fresh = store(2, 3000);
        assertEquals(ZbudHandle.slot(old), ZbudHandle.slot(fresh), "the slot was reused");
        assertEquals(ZbudHandle.buddy(old), ZbudHandle.buddy(fresh));
        final String message = assertThrows(IllegalArgumentException.class, () -> allocator.write(old, buffer, 0))
            .getMessage();
        assertTrue(message.contains("not live") && message.contains("freed"), message);
        assertThrows(IllegalArgumentException.class, () -> allocator.free(old));
        check(fresh, 2, 3000);
    }

    @Test
    void foreignHandlesAreNamedAsSuch()
    {
        try (ZbudAllocator other = new ZbudAllocator(memory, 1))
        {
            final long foreign = other.allocate(100);
            final String message = assertThrows(IllegalArgumentException.class, () -> allocator.read(foreign,
                buffer, 0)).getMessage();
            assertTrue(message.contains("another allocator"), message);
        }
    }

    @Test
    void everySingleBitFlipOfAHandleIsCaughtOrNamesAnotherLiveObject()
    {
        final long[] handles = new long[16];
        for (int i = 0; i < handles.length; i++)
        {
            handles[i] = store(i, 700 + 150 * i);
        }
        for (final long handle : handles)
        {
            for (int bit = 0; bit < Long.SIZE; bit++)
            {
                final long flipped = handle ^ (1L << bit);
                boolean live = false;
                for (final long other : handles)
                {
                    live |= other == flipped;
                }
                if (!live)
                {
                    assertThrows(IllegalArgumentException.class, () -> allocator.free(flipped),
                        "bit " + bit + " of " + Long.toHexString(handle));
                }
            }
        }
        for (int i = 0; i < handles.length; i++)
        {
            check(handles[i], i, 700 + 150 * i);
        }
        assertEquals(handles.length, allocator.stats().objects());
    }

    @Test
    void noMemoryIsASentinelAndLeavesEverythingIntact()
    {
        final List<Long> handles = new ArrayList<>();
        long handle;
        while ((handle = allocator.allocate(3000)) > 0)
        {
            handles.add(handle);
        }
        assertEquals(ObjectAllocator.NO_MEMORY, handle);
        assertEquals(256, handles.size(), "one 3000-byte object per page of the 1 MiB budget");
        assertTrue(allocator.allocate(1000) > 0, "a small object still pairs");
        assertEquals(ObjectAllocator.NO_MEMORY, allocator.allocate(4000));
        assertEquals(2L, allocator.stats().detail("no_memory"));
        assertTrue(memory.stats().reservedBytes() <= memory.budgetBytes());
    }
}
