package org.tmem4j.tmem;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;

/**
 * The pools of one backend: creation (private, or shared by uuid with a reference count), lookup by id on the hot
 * path without a lock, destruction, and eviction of the oldest ephemeral pages across all ephemeral pools.
 * <p>
 * Pool ids are never reused, so a stale id is always reported as destroyed rather than silently reaching a newer
 * pool. Lookup reads a copy-on-write array; creation and destruction take this registry's lock, which the put and
 * get paths never touch.
 * <p>
 * <b>Eviction</b> approximates a global LRU over per-bucket lists: it samples a few (pool, bucket) pairs, reads the
 * put time of each one's oldest page without locking, and evicts the oldest of those, so no lock is shared by all
 * puts. When the samples find nothing (few ephemeral pages spread thinly), it scans every bucket.
 */
public final class Tmem
{
    /** Most pool ids a registry hands out over its life. */
    public static final int MAX_POOLS = 1 << 20;

    private static final int EVICTION_SAMPLES = 8;

    private final int buckets;
    private final Object lock = new Object();
    private final Map<SharedKey, SharedPool> sharedPools = new HashMap<>();
    private volatile TmemPool[] pools = new TmemPool[0];
    private volatile TmemPool[] ephemeralPools = new TmemPool[0];
    private int nextId;

    /**
     * Creates an empty tmem with no pools.
     *
     * @param buckets buckets per pool, as {@link Buckets} allows.
     * @throws IllegalArgumentException if {@link Buckets} does not allow the count.
     */
    public Tmem(final int buckets)
    {
        this.buckets = Buckets.checkBuckets(buckets);
    }

    /**
     * {@return a new private pool}
     *
     * @param kind     ephemeral or persistent.
     * @param pageSize as {@link PageSizes} allows.
     */
    public TmemPool createPool(final PoolKind kind, final int pageSize)
    {
        PageSizes.checkPageSize(pageSize);
        synchronized (lock)
        {
            return add(kind, pageSize, false, 0, 0);
        }
    }

    /**
     * Creates a shared pool, or joins the one already created with the same uuid (counting one more reference;
     * each reference is given back by {@link #destroyPool(int, LongConsumer)}).
     *
     * @param kind     ephemeral or persistent.
     * @param uuidHi   high 64 bits of the uuid.
     * @param uuidLo   low 64 bits of the uuid.
     * @param pageSize as {@link PageSizes} allows.
     * @return the pool.
     * @throws IllegalArgumentException if a pool of that uuid exists with another kind or page size.
     */
    public TmemPool createSharedPool(final PoolKind kind, final long uuidHi, final long uuidLo, final int pageSize)
    {
        PageSizes.checkPageSize(pageSize);
        synchronized (lock)
        {
            final SharedKey key = new SharedKey(uuidHi, uuidLo);
            final SharedPool existing = sharedPools.get(key);
            if (existing != null)
            {
                final TmemPool pool = existing.pool;
                if (pool.kind() != kind || pool.pageSize() != pageSize)
                {
                    throw new IllegalArgumentException("shared pool " + key + " exists as " + pool.kind() + " with " +
                        pool.pageSize() + "-byte pages; cannot join it as " + kind + " with " + pageSize +
                        "-byte pages");
                }
                existing.references++;
                return pool;
            }
            final TmemPool pool = add(kind, pageSize, true, uuidHi, uuidLo);
            sharedPools.put(key, new SharedPool(pool));
            return pool;
        }
    }

    /**
     * {@return the live pool of that id}
     *
     * @param poolId a pool id.
     * @throws IllegalArgumentException if no pool of that id was created, or it was destroyed.
     */
    public TmemPool pool(final int poolId)
    {
        final TmemPool[] all = pools;
        if (poolId >= 0 && poolId < all.length)
        {
            final TmemPool pool = all[poolId];
            if (!pool.isDestroyed())
            {
                return pool;
            }
            throw new IllegalArgumentException("pool " + poolId + " is destroyed");
        }
        throw new IllegalArgumentException("unknown pool " + poolId + "; pools created so far: 0 to " +
            (all.length - 1));
    }

    /**
     * Destroys a private pool, or gives back one reference to a shared pool and destroys it with the last one.
     *
     * @param poolId a live pool's id.
     * @param freer  called with every stored value of a destroyed pool, outside any bucket lock.
     * @return whether the pool was destroyed (false: a shared pool still referenced).
     * @throws IllegalArgumentException if the pool is unknown or already destroyed.
     */
    public boolean destroyPool(final int poolId, final LongConsumer freer)
    {
        final TmemPool pool;
        synchronized (lock)
        {
            pool = pool(poolId);
            if (pool.isShared())
            {
                final SharedKey key = new SharedKey(pool.uuidHi(), pool.uuidLo());
                final SharedPool shared = sharedPools.get(key);
                if (--shared.references > 0)
                {
                    return false;
                }
                sharedPools.remove(key);
            }
            pool.destroy(freer);
            if (pool.kind() == PoolKind.EPHEMERAL)
            {
                ephemeralPools = livePools(PoolKind.EPHEMERAL);
            }
            return true;
        }
    }

    /**
     * Destroys every pool, whatever its references.
     *
     * @param freer called with every stored value.
     */
    public void destroyAll(final LongConsumer freer)
    {
        synchronized (lock)
        {
            for (final TmemPool pool : pools)
            {
                if (!pool.isDestroyed())
                {
                    pool.destroy(freer);
                }
            }
            sharedPools.clear();
            ephemeralPools = new TmemPool[0];
        }
    }

    /**
     * {@return the live pools, by id}
     */
    public List<TmemPool> livePools()
    {
        return List.of(livePools(null));
    }

    /**
     * Evicts one of the oldest evictable pages of all ephemeral pools.
     *
     * @param sink receives the page's pool and value, outside any bucket lock.
     * @return whether a page was evicted; false if no ephemeral pool holds an evictable page.
     */
    public boolean evictOldest(final EvictedPageSink sink)
    {
        final TmemPool[] candidates = ephemeralPools;
        if (candidates.length == 0)
        {
            return false;
        }
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        TmemPool best = null;
        int bestBucket = 0;
        long bestStamp = Long.MAX_VALUE;
        for (int i = 0; i < EVICTION_SAMPLES; i++)
        {
            final TmemPool pool = candidates[random.nextInt(candidates.length)];
            final int bucket = random.nextInt(pool.buckets());
            final long stamp = pool.oldestStamp(bucket);
            if (stamp < bestStamp)
            {
                best = pool;
                bestBucket = bucket;
                bestStamp = stamp;
            }
        }
        if (best != null)
        {
            final long value = best.evictOldest(bestBucket);
            if (value != TmemPool.EMPTY)
            {
                sink.evicted(best, value);
                return true;
            }
        }
        for (final TmemPool pool : candidates)
        {
            for (int bucket = 0; bucket < pool.buckets(); bucket++)
            {
                if (pool.oldestStamp(bucket) != Long.MAX_VALUE)
                {
                    final long value = pool.evictOldest(bucket);
                    if (value != TmemPool.EMPTY)
                    {
                        sink.evicted(pool, value);
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private TmemPool add(final PoolKind kind, final int pageSize, final boolean shared, final long uuidHi,
        final long uuidLo)
    {
        if (nextId == MAX_POOLS)
        {
            throw new IllegalStateException("this backend has handed out all " + MAX_POOLS + " pool ids");
        }
        final TmemPool pool = new TmemPool(nextId++, kind, pageSize, buckets, shared, uuidHi, uuidLo);
        final TmemPool[] all = java.util.Arrays.copyOf(pools, pool.id() + 1);
        all[pool.id()] = pool;
        pools = all;
        if (kind == PoolKind.EPHEMERAL)
        {
            ephemeralPools = livePools(PoolKind.EPHEMERAL);
        }
        return pool;
    }

    private TmemPool[] livePools(final PoolKind kind)
    {
        final List<TmemPool> live = new ArrayList<>();
        for (final TmemPool pool : pools)
        {
            if (!pool.isDestroyed() && (kind == null || pool.kind() == kind))
            {
                live.add(pool);
            }
        }
        return live.toArray(new TmemPool[0]);
    }

    private record SharedKey(long hi, long lo)
    {
        @Override
        public String toString()
        {
            return new java.util.UUID(hi, lo).toString();
        }
    }

    private static final class SharedPool
    {
        final TmemPool pool;
        int references = 1;

        SharedPool(final TmemPool pool)
        {
            this.pool = pool;
        }
    }
}
