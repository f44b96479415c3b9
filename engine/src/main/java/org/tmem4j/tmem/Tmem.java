package org.tmem4j.tmem;

import java.util.ArrayDeque;
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
 * <b>Pool ids</b> are reused, so a process that creates and destroys pools for ever (a filesystem mounted and
 * unmounted, a swap area swapped on and off) never runs out of them, yet a stale id never reaches a newer pool:
 * <pre>
 *   id = generation &lt;&lt; 20 | slot        slot: index in the pool array, 0 .. 2^20-1
 *                                     generation: 0 .. 2^11-1, one more each time the slot is reused
 * </pre>
 * A destroyed pool's slot goes to the back of a free queue and is reused with the next generation, oldest first, so
 * an id comes back only after its slot has been through all 2048 generations; a slot whose generation is spent is
 * retired. Lookup compares the whole id, so an id of an earlier generation is reported as destroyed. At most
 * {@link #MAX_POOLS} pools are live at once. Lookup reads a copy-on-write array; creation and destruction take this
 * registry's lock, which the put and get paths never touch.
 * <p>
 * <b>Eviction</b> approximates a global LRU over per-bucket lists: it samples a few (pool, bucket) pairs, reads the
 * put time of each one's oldest page without locking, and evicts the oldest of those for its pool's weight (age
 * divided by {@link TmemPool#evictionWeight()}, Xen tmem's client weights), so no lock is shared by all puts. When the samples find nothing (few ephemeral pages spread thinly), it scans every bucket.
 * <p>
 * <b>Moving pages down</b> ({@link #detachColdest}): a backend with a tier below it ({@code Tmem(buckets, true)})
 * also keeps persistent pools' pages in put order, and takes the coldest page of either kind off its list without
 * removing it: the page stays readable while the backend copies it below, and leaves only once the tier has it.
 */
public final class Tmem
{
    /** Most pools live at once in one registry. */
    public static final int MAX_POOLS = 1 << 20;

    private static final int SLOT_BITS = 20;
    private static final int SLOT_MASK = MAX_POOLS - 1;
    private static final int MAX_GENERATION = Integer.MAX_VALUE >>> SLOT_BITS;

    /** Buckets looked at per eviction: enough that each of a few pools is sampled several times. */
    private static final int EVICTION_SAMPLES = 32;

    private final int buckets;
    private final boolean persistentLru;
    private final Object lock = new Object();
    private final Map<SharedKey, SharedPool> sharedPools = new HashMap<>();
    private volatile TmemPool[] pools = new TmemPool[0];
    private volatile TmemPool[] ephemeralPools = new TmemPool[0];
    private volatile TmemPool[] persistentPools = new TmemPool[0];
    /** Slots of destroyed pools, oldest first, to reuse with their next generation. */
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();

    /**
     * Creates an empty tmem with no pools.
     *
     * @param buckets buckets per pool, as {@link Buckets} allows.
     * @throws IllegalArgumentException if {@link Buckets} does not allow the count.
     */
    public Tmem(final int buckets)
    {
        this(buckets, false);
    }

    /**
     * Creates an empty tmem with no pools.
     *
     * @param buckets       buckets per pool, as {@link Buckets} allows.
     * @param persistentLru whether persistent pools keep their pages in put order too (48 bytes of heap a page), so
     *                      that {@link #detachColdest} can move their coldest pages to a tier below.
     * @throws IllegalArgumentException if {@link Buckets} does not allow the count.
     */
    public Tmem(final int buckets, final boolean persistentLru)
    {
        this.buckets = Buckets.checkBuckets(buckets);
        this.persistentLru = persistentLru;
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
        final int slot = slotOf(poolId);
        final TmemPool pool = poolId >= 0 && slot < all.length ? all[slot] : null;
        if (pool == null || poolId > pool.id())
        {
            throw new IllegalArgumentException("unknown pool " + poolId + "; no pool of that id was created");
        }
        if (pool.id() != poolId || pool.isDestroyed())
        {
            throw new IllegalArgumentException("pool " + poolId + " is destroyed");
        }
        return pool;
    }

    /**
     * {@return its slot: the index of its pool in arrays sized by the live pools, below {@link #MAX_POOLS}}
     *
     * @param poolId a pool id, live or not.
     */
    public static int slotOf(final int poolId)
    {
        return poolId & SLOT_MASK;
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
            refreshKindLists(pool.kind());
            if (pool.id() >>> SLOT_BITS < MAX_GENERATION)
            {
                freeSlots.add(slotOf(poolId));
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
            persistentPools = new TmemPool[0];
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
     * Evicts one of the oldest evictable pages of all ephemeral pools, age divided by the pool's
     * {@linkplain TmemPool#evictionWeight(int) weight}.
     * <p>
     * Sampled, not exact: a sample is a random bucket of a random pool, whose oldest page's age, for a bucket of
     * {@code m} pages, puts the pool's oldest age at {@code age * (m + 1) / m} (the unbiased estimate of the top of a
     * uniform spread from its largest of {@code m} draws). Comparing the buckets' oldest pages instead would
     * favour evicting from pools with more pages per bucket — the heavier ones — and squeeze the weights toward
     * each other. The pool whose estimates, averaged and divided by its weight, are highest loses the oldest page of
     * its oldest sampled bucket; so under one budget the pools' shares follow their weights.
     *
     * @param sink receives the page's pool and value, outside any bucket lock.
     * @return whether a page was evicted; false if no ephemeral pool holds an evictable page.
     */
    public boolean evictOldest(final EvictedPageSink sink)
    {
        return coldest(ephemeralPools, (pool, bucket) -> pool.evictOldest(bucket, sink));
    }

    /**
     * Takes the coldest page of a kind's pools (age divided by the pool's weight, as {@link #evictOldest}) off its
     * bucket's list, leaving it in its pool: the caller copies it elsewhere and then removes it with
     * {@link TmemPool#takeIf}, or gives it back to the list with {@link TmemPool#relink}. A page off the list is not
     * offered again, so concurrent callers take different pages.
     *
     * @param kind the pools to look in; persistent pools only in a tmem made with {@code persistentLru}.
     * @param sink receives the page, outside any bucket lock.
     * @return whether a page was found.
     */
    public boolean detachColdest(final PoolKind kind, final ColdPageSink sink)
    {
        return coldest(kind == PoolKind.EPHEMERAL ? ephemeralPools : persistentPools,
            (pool, bucket) -> pool.detachOldest(bucket, sink));
    }

    /**
     * Samples buckets of the candidates for the oldest page for its pool's weight (estimated per pool, as
     * {@link #evictOldest} says) and runs the action on that bucket, or, when the samples find nothing, on every
     * bucket holding a page until one succeeds.
     */
    private static boolean coldest(final TmemPool[] candidates, final BucketAction action)
    {
        if (candidates.length == 0)
        {
            return false;
        }
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final long now = System.nanoTime();
        final TmemPool[] sampled = new TmemPool[EVICTION_SAMPLES];
        final double[] estimateSum = new double[EVICTION_SAMPLES];
        final int[] estimates = new int[EVICTION_SAMPLES];
        final int[] oldestBucket = new int[EVICTION_SAMPLES];
        final long[] oldestAge = new long[EVICTION_SAMPLES];
        int distinct = 0;
        for (int i = 0; i < EVICTION_SAMPLES; i++)
        {
            final TmemPool pool = candidates[random.nextInt(candidates.length)];
            final int bucket = random.nextInt(pool.buckets());
            final long stamp = pool.oldestStamp(bucket);
            final long pages = pool.evictablePages(bucket);
            if (stamp == Long.MAX_VALUE || pages <= 0)
            {
                continue;
            }
            final long age = Math.max(0, now - stamp);
            int slot = 0;
            while (slot < distinct && sampled[slot] != pool)
            {
                slot++;
            }
            if (slot == distinct)
            {
                sampled[distinct++] = pool;
                oldestAge[slot] = -1;
            }
            estimateSum[slot] += (double)age * (pages + 1) / pages;
            estimates[slot]++;
            if (age > oldestAge[slot])
            {
                oldestAge[slot] = age;
                oldestBucket[slot] = bucket;
            }
        }
        int best = -1;
        double bestAge = -1;
        for (int slot = 0; slot < distinct; slot++)
        {
            final double age = estimateSum[slot] / estimates[slot] / sampled[slot].evictionWeight();
            if (age > bestAge)
            {
                best = slot;
                bestAge = age;
            }
        }
        if (best >= 0 && action.run(sampled[best], oldestBucket[best]))
        {
            return true;
        }
        for (final TmemPool pool : candidates)
        {
            for (int bucket = 0; bucket < pool.buckets(); bucket++)
            {
                if (pool.oldestStamp(bucket) != Long.MAX_VALUE && action.run(pool, bucket))
                {
                    return true;
                }
            }
        }
        return false;
    }

    @FunctionalInterface
    private interface BucketAction
    {
        boolean run(TmemPool pool, int bucket);
    }

    private TmemPool add(final PoolKind kind, final int pageSize, final boolean shared, final long uuidHi,
        final long uuidLo)
    {
        final TmemPool[] all;
        final int id;
        final Integer reused = freeSlots.poll();
        if (reused != null)
        {
            all = pools.clone();
            id = (all[reused].id() >>> SLOT_BITS) + 1 << SLOT_BITS | reused;
        }
        else if (pools.length < MAX_POOLS)
        {
            all = java.util.Arrays.copyOf(pools, pools.length + 1);
            id = pools.length;
        }
        else
        {
            throw new IllegalStateException("this backend holds " + MAX_POOLS + " live pools (or slots worn out by "
                + "reuse), the most it can; destroy pools no longer used");
        }
        final TmemPool pool = new TmemPool(id, kind, pageSize, buckets, shared, uuidHi, uuidLo,
            kind == PoolKind.EPHEMERAL || persistentLru);
        all[slotOf(id)] = pool;
        pools = all;
        refreshKindLists(kind);
        return pool;
    }

    private void refreshKindLists(final PoolKind kind)
    {
        if (kind == PoolKind.EPHEMERAL)
        {
            ephemeralPools = livePools(PoolKind.EPHEMERAL);
        }
        else if (persistentLru)
        {
            persistentPools = livePools(PoolKind.PERSISTENT);
        }
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
