package org.tmem4j.zcache;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.LongAdder;

import org.tmem4j.codec.CompressorSlot;
import org.tmem4j.codec.CorruptDataException;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.tmem.TmemPool;

/**
 * zcache's side of its {@link LowerTier}: when pages go down, when a miss looks below, and the hysteresis.
 * <p>
 * <b>Hysteresis</b> (zswap's {@code accept_threshold_percent}): once a put found no room locally, zcache is
 * <i>full</i> and new pages go straight to the tier, without evicting, until the pages in use fall under the accept
 * threshold (a percentage of the budget); then local stores resume. Without it every put of a full zcache would
 * first evict one page and then store one, moving two pages per put.
 */
final class TierLink
{
    private final LowerTier tier;
    private final PageMemory memory;
    private final int acceptThresholdPercent;
    private volatile boolean full;
    private final LongAdder remotified = new LongAdder();
    private final LongAdder storedBelow = new LongAdder();
    private final LongAdder repatriated = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder unreachable = new LongAdder();
    private final LongAdder corrupt = new LongAdder();

    TierLink(final LowerTier tier, final PageMemory memory, final int acceptThresholdPercent)
    {
        this.tier = tier;
        this.memory = memory;
        this.acceptThresholdPercent = acceptThresholdPercent;
    }

    LowerTierStats stats()
    {
        return new LowerTierStats(remotified.sum(), storedBelow.sum(), repatriated.sum(), refused.sum(),
            unreachable.sum(), corrupt.sum());
    }

    /**
     * @return whether a put should skip local memory and go to the tier: zcache is full and not yet under the
     * accept threshold.
     */
    boolean bypassLocal()
    {
        if (tier == null || !full)
        {
            return false;
        }
        if (memory.stats().bytesInUse() * 100 < memory.budgetBytes() * acceptThresholdPercent)
        {
            full = false;
            return false;
        }
        return true;
    }

    /**
     * Offers a page that found no room locally.
     *
     * @return whether the tier took it.
     */
    boolean storeBelow(final TmemPool pool, final long a, final long b, final long c, final int index,
        final MemorySegment compressed)
    {
        if (tier == null)
        {
            return false;
        }
        full = true;
        if (tier.store(pool, a, b, c, index, compressed))
        {
            storedBelow.increment();
            return true;
        }
        refused.increment();
        return false;
    }

    /**
     * Offers a page evicted for room; the caller frees it either way.
     */
    void evicted(final TmemPool pool, final long a, final long b, final long c, final int index,
        final MemorySegment compressed)
    {
        if (tier == null)
        {
            return;
        }
        if (tier.store(pool, a, b, c, index, compressed))
        {
            remotified.increment();
        }
        else
        {
            refused.increment();
        }
    }

    /**
     * @return whether there is a tier: evicted pages are worth reading out, misses worth looking below.
     */
    boolean isConfigured()
    {
        return tier != null;
    }

    /**
     * Looks below after a local miss and decompresses a page found there.
     *
     * @param slot a compressor slot: its scratch receives the compressed page, its codec decompresses it.
     * @return whether dst now holds the page.
     * @throws IllegalStateException if a persistent pool's page may be below but the tier cannot be reached.
     */
    boolean load(final TmemPool pool, final long a, final long b, final long c, final int index,
        final boolean remove, final CompressorSlot slot, final MemorySegment dst)
    {
        if (tier == null)
        {
            return false;
        }
        final int length = tier.load(pool, a, b, c, index, remove, slot.scratch());
        if (length == LowerTier.UNREACHABLE)
        {
            unreachable.increment();
            if (pool.kind() == PoolKind.PERSISTENT)
            {
                throw new IllegalStateException("page " + index + " of pool " + pool.id() + " may be in the lower "
                    + "tier " + tier + ", which cannot be reached now");
            }
            return false;
        }
        if (length < 0)
        {
            return false;
        }
        if (length == pool.pageSize())
        {
            // a raw page (StoredPages keeps incompressible pages uncompressed): a payload of exactly one page
            MemorySegment.copy(slot.scratch(), 0, dst, 0, length);
            repatriated.increment();
            return true;
        }
        // decompressed aside, so a page that fails to decompress leaves dst untouched
        try
        {
            slot.codec().decompress(slot.scratch(), 0, length, slot.output(), 0, pool.pageSize());
        }
        catch (final CorruptDataException ex)
        {
            corrupt.increment();
            return false;
        }
        MemorySegment.copy(slot.output(), 0, dst, 0, pool.pageSize());
        repatriated.increment();
        return true;
    }

    /**
     * @return whether the tier had a copy of the page (now dropped).
     */
    boolean invalidatePage(final TmemPool pool, final long a, final long b, final long c, final int index)
    {
        return tier != null && tier.invalidatePage(pool, a, b, c, index);
    }

    /**
     * @return pages of the object the tier dropped.
     */
    int invalidateObject(final TmemPool pool, final long a, final long b, final long c)
    {
        return tier == null ? 0 : tier.invalidateObject(pool, a, b, c);
    }

    void destroyPool(final TmemPool pool)
    {
        if (tier != null)
        {
            tier.destroyPool(pool);
        }
    }
}
