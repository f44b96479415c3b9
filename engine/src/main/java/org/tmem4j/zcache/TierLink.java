package org.tmem4j.zcache;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

import org.tmem4j.codec.CompressorSlot;
import org.tmem4j.codec.CorruptDataException;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.tmem.TmemPool;

/**
 * zcache's side of its {@link LowerTier}s: when pages go down, where a miss looks, the hysteresis, and the key locks
 * that order what happens to one page across tiers.
 * <p>
 * <b>Tiers in order.</b> A page moved down for room goes to the first tier that takes it (ramster: Redis, then the
 * swap file); a new page that finds no room goes to the first tier that {@linkplain LowerTier#acceptsNewPages()
 * takes new pages}; a local miss asks each tier in turn; invalidations go to all.
 * <p>
 * <b>Key locks.</b> Everything that changes a page both locally and below (a put, a flush, a move down) holds the
 * page's key lock, one of {@value #KEY_LOCKS} stripes, so that a copy below never outlives its page: a move that
 * finds its page replaced or taken after the tier acknowledged it drops the copy it made, and no put or flush of the
 * page can slip in between. Gets take no key lock: a page moving down stays readable locally until the tier has it.
 * <p>
 * <b>Hysteresis</b> (zswap's {@code accept_threshold_percent}): once a put found no room locally and went to a tier,
 * zcache is <i>full</i> and new pages go straight to that tier, without moving anything, until the pages in use fall
 * under the accept threshold (a percentage of the budget); then local stores resume. Without it every put of a full
 * zcache would first move one page down and then store one, moving two pages per put.
 */
final class TierLink
{
    private static final int KEY_LOCKS = 256;

    private final LowerTier[] tiers;
    private final boolean takesNewPages;
    private final PageMemory memory;
    private final int acceptThresholdPercent;
    private final ReentrantLock[] keyLocks;
    private volatile boolean full;
    private final LongAdder remotified = new LongAdder();
    private final LongAdder storedBelow = new LongAdder();
    private final LongAdder repatriated = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder unreachable = new LongAdder();
    private final LongAdder corrupt = new LongAdder();

    TierLink(final LowerTier[] tiers, final PageMemory memory, final int acceptThresholdPercent)
    {
        this.tiers = tiers.clone();
        boolean anyTakesNew = false;
        for (final LowerTier tier : this.tiers)
        {
            anyTakesNew |= tier.acceptsNewPages();
        }
        this.takesNewPages = anyTakesNew;
        this.memory = memory;
        this.acceptThresholdPercent = acceptThresholdPercent;
        this.keyLocks = new ReentrantLock[tiers.length == 0 ? 0 : KEY_LOCKS];
        for (int i = 0; i < keyLocks.length; i++)
        {
            keyLocks[i] = new ReentrantLock();
        }
    }

    LowerTierStats stats()
    {
        return new LowerTierStats(remotified.sum(), storedBelow.sum(), repatriated.sum(), refused.sum(),
            unreachable.sum(), corrupt.sum());
    }

    /**
     * @return whether there is a tier: pages are worth moving down, misses worth looking below.
     */
    boolean isConfigured()
    {
        return tiers.length > 0;
    }

    /**
     * @return the lock of a page's key (there is one only with a tier).
     */
    ReentrantLock keyLock(final TmemPool pool, final long a, final long b, final long c, final int index)
    {
        long h = (a * 0x9E3779B97F4A7C15L ^ b * 0xC2B2AE3D27D4EB4FL ^ c * 0x165667B19E3779F9L) + index * 0x27D4EB2FL
            + pool.id();
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return keyLocks[(int)(h ^ h >>> 32) & KEY_LOCKS - 1];
    }

    /**
     * @return whether a put should skip local memory and go to a tier: zcache is full and not yet under the accept
     * threshold.
     */
    boolean bypassLocal()
    {
        if (!full)
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
     * Offers a page that found no room locally to the tiers that take new pages. The caller holds the key lock.
     *
     * @return whether a tier took it.
     */
    boolean storeBelow(final TmemPool pool, final long a, final long b, final long c, final int index,
        final MemorySegment compressed)
    {
        if (!takesNewPages)
        {
            return false;
        }
        full = true;
        for (final LowerTier tier : tiers)
        {
            if (tier.acceptsNewPages() && tier.store(pool, a, b, c, index, compressed))
            {
                storedBelow.increment();
                return true;
            }
        }
        refused.increment();
        return false;
    }

    /**
     * Offers a page moved down for room to each tier in turn. The caller holds the key lock and frees the page
     * locally only if a tier took it (an ephemeral page also if none did).
     *
     * @return whether a tier took it.
     */
    boolean moveDown(final TmemPool pool, final long a, final long b, final long c, final int index,
        final MemorySegment compressed)
    {
        for (final LowerTier tier : tiers)
        {
            if (tier.store(pool, a, b, c, index, compressed))
            {
                remotified.increment();
                return true;
            }
        }
        refused.increment();
        return false;
    }

    /**
     * Looks below after a local miss and decompresses a page found there.
     *
     * @param slot a compressor slot: its scratch receives the compressed page, its codec decompresses it.
     * @return whether dst now holds the page.
     * @throws IllegalStateException if a persistent pool's page may be below but a tier cannot be reached.
     */
    boolean load(final TmemPool pool, final long a, final long b, final long c, final int index,
        final boolean remove, final CompressorSlot slot, final MemorySegment dst)
    {
        LowerTier unreachableTier = null;
        for (final LowerTier tier : tiers)
        {
            final int length = tier.load(pool, a, b, c, index, remove, slot.scratch());
            if (length >= 0)
            {
                return decompress(pool, length, slot, dst);
            }
            if (length == LowerTier.UNREACHABLE)
            {
                unreachable.increment();
                unreachableTier = tier;
            }
        }
        if (unreachableTier != null && pool.kind() == PoolKind.PERSISTENT)
        {
            throw new IllegalStateException("page " + index + " of pool " + pool.id() + " may be in the lower tier "
                + unreachableTier + ", which cannot be reached now");
        }
        return false;
    }

    private boolean decompress(final TmemPool pool, final int length, final CompressorSlot slot,
        final MemorySegment dst)
    {
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
     * @return whether a tier had a copy of the page (now dropped).
     */
    boolean invalidatePage(final TmemPool pool, final long a, final long b, final long c, final int index)
    {
        boolean had = false;
        for (final LowerTier tier : tiers)
        {
            had |= tier.invalidatePage(pool, a, b, c, index);
        }
        return had;
    }

    /**
     * @return pages of the object the tiers dropped.
     */
    int invalidateObject(final TmemPool pool, final long a, final long b, final long c)
    {
        int dropped = 0;
        for (final LowerTier tier : tiers)
        {
            dropped += tier.invalidateObject(pool, a, b, c);
        }
        return dropped;
    }

    void destroyPool(final TmemPool pool)
    {
        for (final LowerTier tier : tiers)
        {
            tier.destroyPool(pool);
        }
    }

    @Override
    public String toString()
    {
        return Arrays.toString(tiers);
    }
}
