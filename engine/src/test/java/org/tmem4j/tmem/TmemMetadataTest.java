package org.tmem4j.tmem;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.function.IntConsumer;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Metadata bytes per stored page, the index's own estimate checked against the heap actually retained (measured
 * after a full GC, so approximate), for the dense swap-like case (one object, 10^6 consecutive indexes: goal
 * &le; 16 bytes a page) and the sparse case (one page per object). Off-heap metadata of the index is zero: the whole
 * index lives on the heap.
 */
final class TmemMetadataTest
{
    private static final int PAGES = 1_000_000;
    private static final int SPARSE_OBJECTS = 200_000;

    /** Index metadata per page after a fill: the index's estimate and the heap retained, and the empty pool's. */
    private record PerPage(long emptyBytes, double estimated, double measured)
    {
    }

    @Test
    void denseSwapLikeObjectCostsAtMostSixteenBytesAPage()
    {
        final TmemPool pool = new Tmem(Buckets.DEFAULT).createPool(PoolKind.PERSISTENT, 4096);
        final PerPage perPage = fill(pool, PAGES, i -> pool.put(1, 2, 3, i, i + 1L, false));
        assertEquals(PAGES, pool.stats().pages());
        System.out.printf("metadata dense (1 object, %d consecutive pages, persistent): estimate %.2f B/page, " +
            "measured heap %.2f B/page, off-heap 0 B/page%n", PAGES, perPage.estimated(), perPage.measured());
        assertTrue(perPage.estimated() <= 16.0, "dense metadata " + perPage.estimated() + " B/page exceeds 16 B");
        assertTrue(perPage.measured() < 2 * perPage.estimated() + 4, "measured heap " + perPage.measured() +
            " B/page far above the estimate " + perPage.estimated() + ": the estimate misses something");
        for (int i = 0; i < PAGES; i++)
        {
            assertTrue(pool.take(1, 2, 3, i) != TmemPool.EMPTY);
        }
        assertEquals(perPage.emptyBytes(), pool.stats().metadataBytes(), "every node is given back");
    }

    @Test
    void sparseOnePagePerObject()
    {
        final TmemPool pool = new Tmem(Buckets.DEFAULT).createPool(PoolKind.PERSISTENT, 4096);
        final PerPage perPage = fill(pool, SPARSE_OBJECTS, i -> pool.put(i, 0, 0, i * 977, i + 1L, false));
        System.out.printf("metadata sparse (%d objects, 1 page each, persistent): estimate %.2f B/page, " +
            "measured heap %.2f B/page%n", SPARSE_OBJECTS, perPage.estimated(), perPage.measured());
        assertTrue(perPage.estimated() <= TmemObject.BYTES + 16,
            "an inline single page needs no tree: " + perPage.estimated());
        assertTrue(perPage.measured() < 2 * perPage.estimated(),
            "measured " + perPage.measured() + " B/page vs estimate " + perPage.estimated());
    }

    @Test
    void denseEphemeralObjectAddsItsListNodes()
    {
        final Tmem tmem = new Tmem(Buckets.DEFAULT);
        final TmemPool pool = tmem.createPool(PoolKind.EPHEMERAL, 4096);
        final PerPage perPage = fill(pool, PAGES, i -> pool.put(1, 2, 3, i, i + 1L, true));
        System.out.printf("metadata dense ephemeral (1 object, %d pages, LRU-listed): estimate %.2f B/page, " +
            "measured heap %.2f B/page%n", PAGES, perPage.estimated(), perPage.measured());
        assertTrue(perPage.measured() < 2 * perPage.estimated() + 4,
            "measured " + perPage.measured() + " B/page vs estimate " + perPage.estimated());
        long evicted = 0;
        while (tmem.evictOldest((from, value) -> { }))
        {
            evicted++;
        }
        assertEquals(PAGES, evicted);
        assertEquals(perPage.emptyBytes(), pool.stats().metadataBytes(), "every node is given back");
    }

    private static PerPage fill(final TmemPool pool, final int pages, final IntConsumer put)
    {
        final long empty = pool.stats().metadataBytes();
        final long heapBefore = retainedHeap();
        for (int i = 0; i < pages; i++)
        {
            put.accept(i);
        }
        final long heapAfter = retainedHeap();
        return new PerPage(empty, (double)(pool.stats().metadataBytes() - empty) / pages,
            (double)(heapAfter - heapBefore) / pages);
    }

    private static long retainedHeap()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
