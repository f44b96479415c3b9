package org.tmem4j.tmem;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

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

    @Test
    void denseSwapLikeObjectCostsAtMostSixteenBytesAPage()
    {
        final Tmem tmem = new Tmem(Tmem.DEFAULT_BUCKETS);
        final TmemPool pool = tmem.createPool(PoolKind.PERSISTENT, 4096);
        final long empty = pool.stats().metadataBytes();
        final long heapBefore = retainedHeap();
        for (int i = 0; i < PAGES; i++)
        {
            pool.put(1, 2, 3, i, i + 1L, false);
        }
        final long heapAfter = retainedHeap();
        final TmemPoolStats stats = pool.stats();
        assertEquals(PAGES, stats.pages());
        final double estimated = (double)(stats.metadataBytes() - empty) / PAGES;
        final double measured = (double)(heapAfter - heapBefore) / PAGES;
        System.out.printf("metadata dense (1 object, %d consecutive pages, persistent): estimate %.2f B/page, " +
            "measured heap %.2f B/page, off-heap 0 B/page%n", PAGES, estimated, measured);
        assertTrue(estimated <= 16.0, "dense metadata " + estimated + " B/page exceeds the 16 B goal");
        assertTrue(measured < 2 * estimated + 4, "measured heap " + measured + " B/page far above the estimate " +
            estimated + ": the estimate misses something");
        pool.put(1, 2, 3, PAGES / 2, 7, false);
        for (int i = 0; i < PAGES; i++)
        {
            assertTrue(pool.take(1, 2, 3, i) != TmemPool.EMPTY);
        }
        assertEquals(empty, pool.stats().metadataBytes(), "every node is given back");
    }

    @Test
    void sparseOnePagePerObject()
    {
        final Tmem tmem = new Tmem(Tmem.DEFAULT_BUCKETS);
        final TmemPool pool = tmem.createPool(PoolKind.PERSISTENT, 4096);
        final long empty = pool.stats().metadataBytes();
        final long heapBefore = retainedHeap();
        for (int i = 0; i < SPARSE_OBJECTS; i++)
        {
            pool.put(i, 0, 0, i * 977, i + 1L, false);
        }
        final long heapAfter = retainedHeap();
        final double estimated = (double)(pool.stats().metadataBytes() - empty) / SPARSE_OBJECTS;
        final double measured = (double)(heapAfter - heapBefore) / SPARSE_OBJECTS;
        System.out.printf("metadata sparse (%d objects, 1 page each, persistent): estimate %.2f B/page, " +
            "measured heap %.2f B/page%n", SPARSE_OBJECTS, estimated, measured);
        assertTrue(estimated <= TmemObject.BYTES + 16, "an inline single page needs no tree: " + estimated);
        assertTrue(measured < 2 * estimated, "measured " + measured + " B/page vs estimate " + estimated);
    }

    @Test
    void denseEphemeralObjectAddsItsListNodes()
    {
        final Tmem tmem = new Tmem(Tmem.DEFAULT_BUCKETS);
        final TmemPool pool = tmem.createPool(PoolKind.EPHEMERAL, 4096);
        final long empty = pool.stats().metadataBytes();
        final long heapBefore = retainedHeap();
        for (int i = 0; i < PAGES; i++)
        {
            pool.put(1, 2, 3, i, i + 1L, true);
        }
        final long heapAfter = retainedHeap();
        final double estimated = (double)(pool.stats().metadataBytes() - empty) / PAGES;
        final double measured = (double)(heapAfter - heapBefore) / PAGES;
        System.out.printf("metadata dense ephemeral (1 object, %d pages, LRU-listed): estimate %.2f B/page, " +
            "measured heap %.2f B/page%n", PAGES, estimated, measured);
        assertTrue(measured < 2 * estimated + 4, "measured " + measured + " B/page vs estimate " + estimated);
        long evicted = 0;
        while (tmem.evictOldest((from, value) -> { }))
        {
            evicted++;
        }
        assertEquals(PAGES, evicted);
        assertEquals(empty, pool.stats().metadataBytes(), "every node is given back");
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
