package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.memory.PageMemoryStats;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An engine built with {@link Zcache.Builder#preTouch(boolean)} holds its whole budget mapped before the first put,
 * fills it with pages that come back exactly, never maps past it, and keeps it mapped when the pages go.
 */
final class ZcachePreTouchTest
{
    private static final long SEED = 21;
    private static final long BUDGET = 4L << 20;

    @Test
    void theWholeBudgetIsMappedBeforeTheFirstPutAndStaysWhenThePagesGo()
    {
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(BUDGET).preTouch(true)
                .build())
        {
            assertEquals(BUDGET, zcache.stats().memory().reservedBytes(), "mapped when built");
            final int pool = zcache.createPool(PoolKind.PERSISTENT, PageMemory.PAGE_SIZE);
            final MemorySegment page = arena.allocate(PageMemory.PAGE_SIZE);
            final MemorySegment dst = arena.allocate(PageMemory.PAGE_SIZE);
            int stored = 0;
            while (true)
            {
                PageContent.fill(page, PageMemory.PAGE_SIZE, SEED, compressible(stored));
                if (zcache.put(pool, 1, 2, 3, stored, page) != Zcache.STORED)
                {
                    break;
                }
                stored++;
                final PageMemoryStats memory = zcache.stats().memory();
                assertEquals(BUDGET, memory.reservedBytes(), "after " + stored + " puts: " + memory);
            }
            // one page of memory per page stored: the budget's pages, less what the engine's own structures hold
            assertTrue(stored > BUDGET / PageMemory.PAGE_SIZE / 2, "only " + stored + " pages fit the budget");
            for (int i = 0; i < stored; i++)
            {
                PageContent.fill(page, PageMemory.PAGE_SIZE, SEED, compressible(i));
                dst.fill((byte)0x5A);
                assertTrue(zcache.get(pool, 1, 2, 3, i, dst), "page " + i);
                assertEquals(-1, page.mismatch(dst), "page " + i);
                assertTrue(zcache.flushPage(pool, 1, 2, 3, i));
            }
            assertEquals(0, zcache.stats().storedPages());
            assertEquals(BUDGET, zcache.stats().memory().reservedBytes(), "the empty budget stays mapped");
            assertEquals(0, zcache.stats().memory().slabsReleased());
            zcache.budgetBytes(2 * BUDGET);
            assertEquals(2 * BUDGET, zcache.stats().memory().reservedBytes(), "a raised budget is mapped at once");
            zcache.budgetBytes(BUDGET / 2);
            assertNotEquals(0, zcache.stats().memory().slabsReleased(), "a lowered budget gives memory back");
            assertEquals(BUDGET / 2, zcache.stats().memory().reservedBytes());
        }
    }

    /** {@return the id of the {@code i}th page: one {@link PageContent} compresses but does not make same-filled} */
    private static long compressible(final int i)
    {
        return i * 10L + 3;
    }
}
