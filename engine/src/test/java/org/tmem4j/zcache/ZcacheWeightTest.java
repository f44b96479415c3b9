package org.tmem4j.zcache;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.tmem.PoolKind;

/**
 * Pool weights: two ephemeral pools put into at the same rate under one full budget. With equal weights they hold
 * about as many pages each; with weights 4 and 1 the heavier holds clearly more, because eviction compares a page's
 * age divided by its pool's weight. (Sampled eviction only approximates the weights: the ratio measured here is
 * printed, not pinned.) One object per page spreads the pages over the buckets that eviction samples.
 */
class ZcacheWeightTest
{
    private static final long SEED = 42;

    @Test
    void sharesFollowTheWeights()
    {
        final double even = heavyToLight(1);
        final double weighted = heavyToLight(4);
        System.out.printf("pool weights: 1:1 holds %.2f:1, 4:1 holds %.2f:1%n", even, weighted);
        assertTrue(even > 0.6 && even < 1.6, "equal weights hold about equal shares, held " + even + ":1");
        assertTrue(weighted > 2, "weight 4 against 1 holds clearly more, held " + weighted + ":1");
    }

    @Test
    void weightsOutOfRangeAreRefused()
    {
        try (Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(1 << 20).build())
        {
            final int pool = zcache.createPool(PoolKind.EPHEMERAL, 4096);
            assertThrows(IllegalArgumentException.class, () -> zcache.poolWeight(pool, 0));
            assertThrows(IllegalArgumentException.class, () -> zcache.poolWeight(pool, 1_000_001));
            zcache.poolWeight(pool, 1_000_000);
        }
    }

    private static double heavyToLight(final int weight)
    {
        try (Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(8 << 20).build();
            Arena arena = Arena.ofConfined())
        {
            final int light = zcache.createPool(PoolKind.EPHEMERAL, 4096);
            final int heavy = zcache.createPool(PoolKind.EPHEMERAL, 4096);
            zcache.poolWeight(heavy, weight);
            final MemorySegment page = arena.allocate(4096);
            long id = 0;
            for (int i = 0; i < 20_000; i++)
            {
                for (final int pool : new int[] {light, heavy})
                {
                    do
                    {
                        id++;
                    }
                    while (PageContent.isSameFilled(id) || PageContent.isIncompressible(id));
                    PageContent.fill(page, 4096, SEED, id);
                    zcache.put(pool, i, 0, 0, 0, page);
                }
            }
            assertTrue(zcache.stats().evictions() > 10_000, "the budget must be full");
            return (double)zcache.poolStats(heavy).pages() / zcache.poolStats(light).pages();
        }
    }
}
