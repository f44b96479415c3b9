package org.tmem4j.tmem;

import java.util.function.LongConsumer;

/**
 * A tmem pool: pages keyed by (object id, page index), each holding one opaque non-zero {@code long} value that a
 * backend gave it (zcache: an allocator handle or a same-filled word). The pool never interprets values; it keeps
 * them, hands them back, and says which ones to free.
 * <pre>
 *   hash(oid) --high bits--> HashBucket[0 .. n-1]   (one lock each, n a power of two, default 256)
 *                               |  low bits
 *                               v
 *                            table: oid -> TmemObject --PageIndex (64-way radix)--> index -> value / LruNode
 * </pre>
 * <b>Locking.</b> Every operation on a key takes exactly its bucket's monitor; there is no pool-wide or global
 * lock on the put and get paths, so threads working on different objects do not meet. Under a bucket lock nothing
 * compresses or calls an allocator, and nothing is allocated on the heap either: new objects, tree nodes, table
 * arrays and list nodes are made before the lock is taken, and a put that finds it needs more releases the lock,
 * makes them and retries. Values taken out of the pool (replaced, removed, evicted) are returned to the caller, which
 * frees them after the lock is released.
 * <p>
 * <b>Contract.</b> A put of an existing key replaces its value and returns the old one (the caller frees it: never
 * overwritten in place). {@link #take} removes and returns; {@link #read} keeps the value and runs a reader on it
 * under the lock, so it cannot be freed meanwhile. After a removal, lookups miss until the next put.
 * <p>
 * <b>Ephemeral pools</b> also keep, per bucket, the list of evictable pages from newest to oldest, so
 * {@link Tmem#evictOldest(EvictedPageSink)} can drop the least recently put pages of all ephemeral pools. An
 * ephemeral get is exclusive, so a page's last use is its put, and put order is LRU order. Persistent pools keep
 * the same lists when their backend moves persistent pages to a tier below ({@link Tmem#detachColdest}); their
 * order is put order.
 */
public final class TmemPool
{
    /** The value of an absent page; a value put must differ from it. */
    public static final long EMPTY = 0;

    private final int id;
    private final PoolKind kind;
    private final int pageSize;
    /** Whether pages are {@link LruNode}s on their bucket's list: ephemeral pools, and persistent ones on request. */
    private final boolean lru;
    private final boolean shared;
    private final long uuidHi;
    private final long uuidLo;
    private final HashBucket[] buckets;
    private final int bucketMask;
    private volatile boolean destroyed;
    private volatile int evictionWeight = 1;

    TmemPool(final int id, final PoolKind kind, final int pageSize, final int buckets, final boolean shared,
        final long uuidHi, final long uuidLo, final boolean lru)
    {
        this.id = id;
        this.kind = kind;
        this.pageSize = pageSize;
        this.lru = lru;
        this.shared = shared;
        this.uuidHi = uuidHi;
        this.uuidLo = uuidLo;
        this.buckets = new HashBucket[buckets];
        for (int i = 0; i < buckets; i++)
        {
            this.buckets[i] = new HashBucket();
        }
        this.bucketMask = buckets - 1;
    }

    /**
     * The hash of an object id: high 32 bits choose the bucket, low bits the slot in its table.
     */
    static long hash(final long a, final long b, final long c)
    {
        long h = a * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(b * 0xC2B2AE3D27D4EB4FL, 23) ^
            Long.rotateLeft(c * 0x165667B19E3779F9L, 46);
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    /**
     * {@return the pool's id, ≥ 0}
     */
    public int id()
    {
        return id;
    }

    /**
     * {@return ephemeral or persistent}
     */
    public PoolKind kind()
    {
        return kind;
    }

    /**
     * {@return the size of the pages it holds, as {@link PageSizes} allows}
     */
    public int pageSize()
    {
        return pageSize;
    }

    /**
     * {@return whether it was created as a shared pool (found by uuid)}
     */
    public boolean isShared()
    {
        return shared;
    }

    /**
     * {@return the high 64 bits of a shared pool's uuid (0 for a private pool)}
     */
    public long uuidHi()
    {
        return uuidHi;
    }

    /**
     * {@return the low 64 bits of a shared pool's uuid (0 for a private pool)}
     */
    public long uuidLo()
    {
        return uuidLo;
    }

    /**
     * {@return whether the pool was destroyed; every operation then throws}
     */
    public boolean isDestroyed()
    {
        return destroyed;
    }

    /**
     * Stores a value, replacing any at the key.
     *
     * @param a         object id, first 64 bits.
     * @param b         object id, second 64 bits.
     * @param c         object id, third 64 bits.
     * @param index     page index, ≥ 0.
     * @param value     the value, not {@link #EMPTY}.
     * @param evictable whether the page goes on its bucket's list, where {@link Tmem#evictOldest(EvictedPageSink)}
     *                  and {@link Tmem#detachColdest} find it (values that hold no memory are not worth moving);
     *                  ignored in persistent pools that keep no list.
     * @return the value replaced, for the caller to free, or {@link #EMPTY}.
     * @throws IllegalArgumentException on an invalid id or a negative index.
     * @throws IllegalStateException    if the pool is destroyed.
     */
    public long put(final long a, final long b, final long c, final int index, final long value,
        final boolean evictable)
    {
        checkKey(a, b, c, index);
        if (value == EMPTY)
        {
            throw new IllegalArgumentException("value " + EMPTY + " is reserved for an absent page");
        }
        final long hash = hash(a, b, c);
        final HashBucket bucket = bucketOf(hash);
        final LruNode node = lru ? new LruNode(index, value, System.nanoTime()) : null;
        TmemObject fresh = null;
        TmemObject[] grown = null;
        NodeSpares spares = null;
        while (true)
        {
            final int needed;
            final int growTo;
            synchronized (bucket)
            {
                checkLive();
                TmemObject obj = bucket.find(a, b, c, hash);
                if (obj == null && fresh != null &&
                    (!bucket.needsGrowth() || (grown != null && grown.length > bucket.capacity())))
                {
                    bucket.insert(fresh, grown);
                    obj = fresh;
                    fresh = null;
                    grown = null;
                }
                if (obj != null)
                {
                    needed = obj.sparesNeeded(index);
                    if (needed == 0 || (spares != null && spares.covers(needed >>> 2, needed & 3)))
                    {
                        return link(bucket, obj, index, value, node, evictable, spares);
                    }
                    growTo = 0;
                }
                else
                {
                    needed = -1;
                    growTo = bucket.needsGrowth() ? bucket.capacity() * 2 : 0;
                }
            }
            if (needed < 0)
            {
                fresh = fresh == null ? new TmemObject(a, b, c) : fresh;
                grown = growTo > 0 ? new TmemObject[growTo] : null;
            }
            else
            {
                spares = new NodeSpares(needed >>> 2, needed & 3, !lru);
            }
        }
    }

    /**
     * Removes a page and hands its value over: an exclusive get, a flush, or the removal of a replaced page.
     *
     * @param a     object id, first 64 bits.
     * @param b     object id, second 64 bits.
     * @param c     object id, third 64 bits.
     * @param index page index, ≥ 0.
     * @return the value, for the caller to use and free, or {@link #EMPTY} if there was none.
     * @throws IllegalArgumentException on an invalid id or a negative index.
     * @throws IllegalStateException    if the pool is destroyed.
     */
    public long take(final long a, final long b, final long c, final int index)
    {
        checkKey(a, b, c, index);
        final long hash = hash(a, b, c);
        final HashBucket bucket = bucketOf(hash);
        synchronized (bucket)
        {
            checkLive();
            final TmemObject obj = bucket.find(a, b, c, hash);
            return obj == null ? EMPTY : removeFrom(bucket, obj, index);
        }
    }

    /**
     * Removes a page only if it still holds {@code expected} (e.g. after finding it corrupt, without racing a put).
     *
     * @param a        object id, first 64 bits.
     * @param b        object id, second 64 bits.
     * @param c        object id, third 64 bits.
     * @param index    page index, ≥ 0.
     * @param expected the value the page must still hold.
     * @return whether it was removed; the caller then frees {@code expected}.
     */
    public boolean takeIf(final long a, final long b, final long c, final int index, final long expected)
    {
        checkKey(a, b, c, index);
        final long hash = hash(a, b, c);
        final HashBucket bucket = bucketOf(hash);
        synchronized (bucket)
        {
            checkLive();
            final TmemObject obj = bucket.find(a, b, c, hash);
            if (obj == null || valueOf(obj, index) != expected)
            {
                return false;
            }
            removeFrom(bucket, obj, index);
            return true;
        }
    }

    /**
     * Replaces a page's value only if it still holds {@code expected}: how a backend swaps in a new form of a page
     * (recompressed) made outside the lock without racing a put, get, flush or eviction. A listed page keeps its
     * place in its bucket's list (recompression is no use of the page).
     *
     * @param a           object id, first 64 bits.
     * @param b           object id, second 64 bits.
     * @param c           object id, third 64 bits.
     * @param index       page index, ≥ 0.
     * @param expected    the value the page must still hold.
     * @param replacement its new value, not {@link #EMPTY}.
     * @return whether it was replaced; the caller then frees {@code expected}, else {@code replacement}.
     */
    public boolean replaceIf(final long a, final long b, final long c, final int index, final long expected,
        final long replacement)
    {
        checkKey(a, b, c, index);
        if (replacement == EMPTY)
        {
            throw new IllegalArgumentException("value " + EMPTY + " is reserved for an absent page");
        }
        final long hash = hash(a, b, c);
        final HashBucket bucket = bucketOf(hash);
        synchronized (bucket)
        {
            checkLive();
            final TmemObject obj = bucket.find(a, b, c, hash);
            return obj != null && obj.replace(index, expected, replacement, lru);
        }
    }

    /**
     * Copies the keys and values of one bucket's pages into a batch, under that bucket's lock; a batch too small
     * for the bucket is grown (outside the lock) and the bucket scanned again.
     *
     * @param bucket 0 to {@link #buckets()} - 1.
     * @param batch  where the pages go; cleared first.
     * @throws IllegalStateException if the pool is destroyed.
     */
    public void scanBucket(final int bucket, final PageBatch batch)
    {
        final HashBucket scanned = buckets[bucket];
        while (true)
        {
            batch.clear();
            synchronized (scanned)
            {
                checkLive();
                scanned.collect(batch);
            }
            if (batch.found == batch.size)
            {
                return;
            }
            batch.grow();
        }
    }

    /**
     * Copies the keys and values of a bucket's oldest listed pages (put order, oldest first) into a batch, under that
     * bucket's lock; a batch too small is grown (outside the lock) and the bucket scanned again. Pages off the list
     * (same-filled pages, pages being moved to a tier below) are not among them.
     *
     * @param bucket 0 to {@link #buckets()} - 1.
     * @param pages  how many, at most; fewer when the list is shorter.
     * @param batch  where the pages go; cleared first.
     * @throws IllegalStateException if the pool is destroyed, or keeps no lists ({@link #keepsPutOrder()}).
     */
    public void scanOldest(final int bucket, final int pages, final PageBatch batch)
    {
        if (!lru)
        {
            throw new IllegalStateException(this + " keeps no put order");
        }
        final HashBucket scanned = buckets[bucket];
        while (true)
        {
            batch.clear();
            synchronized (scanned)
            {
                checkLive();
                LruNode node = scanned.oldest();
                for (int i = 0; i < pages && node != null; i++, node = node.newer)
                {
                    batch.add(node.owner, node.index, node.value);
                }
            }
            if (batch.found == batch.size)
            {
                return;
            }
            batch.grow();
        }
    }

    /**
     * {@return whether the pool keeps its pages on lists in put order: ephemeral pools, and persistent ones of a
     * tmem made with {@code persistentLru}}
     */
    public boolean keepsPutOrder()
    {
        return lru;
    }

    /**
     * Counts a bucket's listed pages without its lock, so the answer is only a hint under concurrent changes.
     *
     * @param bucket 0 to {@link #buckets()} - 1.
     * @return how many pages are on the bucket's list.
     */
    public long listedPages(final int bucket)
    {
        return buckets[bucket].evictablePages;
    }

    /**
     * Runs a reader on a page's value while the bucket lock keeps it alive; the page stays.
     *
     * @param a       object id, first 64 bits.
     * @param b       object id, second 64 bits.
     * @param c       object id, third 64 bits.
     * @param index   page index, ≥ 0.
     * @param reader  runs on the value, under the bucket lock: it must not block or call back into the pool.
     * @param context passed to the reader, so that it need not capture anything.
     * @param <C>     the context's type.
     * @return whether there was a page (and the reader ran).
     * @throws IllegalArgumentException on an invalid id or a negative index.
     * @throws IllegalStateException    if the pool is destroyed.
     */
    public <C> boolean read(final long a, final long b, final long c, final int index, final PageReader<C> reader,
        final C context)
    {
        checkKey(a, b, c, index);
        final long hash = hash(a, b, c);
        final HashBucket bucket = bucketOf(hash);
        synchronized (bucket)
        {
            checkLive();
            final TmemObject obj = bucket.find(a, b, c, hash);
            final long value = obj == null ? EMPTY : valueOf(obj, index);
            if (value == EMPTY)
            {
                return false;
            }
            reader.read(value, context);
            return true;
        }
    }

    /**
     * Removes an object with all its pages.
     *
     * @param a     object id, first 64 bits.
     * @param b     object id, second 64 bits.
     * @param c     object id, third 64 bits.
     * @param freer called with each value, after the bucket lock is released.
     * @return the number of pages removed.
     */
    public int takeObject(final long a, final long b, final long c, final LongConsumer freer)
    {
        ObjectId.check(a, b, c);
        final long hash = hash(a, b, c);
        final HashBucket bucket = bucketOf(hash);
        final TmemObject obj;
        synchronized (bucket)
        {
            checkLive();
            obj = bucket.find(a, b, c, hash);
            if (obj == null)
            {
                return 0;
            }
            if (lru)
            {
                obj.unlinkAll(bucket);
                bucket.metadataBytes -= (long)obj.pages * LruNode.BYTES;
            }
            bucket.remove(obj);
        }
        obj.forEachValue(freer);
        return obj.pages;
    }

    /**
     * Sets how strongly this pool's pages resist eviction: {@link Tmem#evictOldest} compares pages by age divided
     * by their pool's weight, so a page of a pool of weight 2 goes when it is twice as old as one of weight 1
     * (Xen tmem's client weights).
     *
     * @param weight from 1 to 1,000,000; 1 by default.
     */
    public void evictionWeight(final int weight)
    {
        if (weight < 1 || weight > 1_000_000)
        {
            throw new IllegalArgumentException("eviction weight must be from 1 to 1000000, got " + weight);
        }
        evictionWeight = weight;
    }

    /**
     * {@return how strongly this pool's pages resist eviction; see {@link #evictionWeight(int)}}
     */
    public int evictionWeight()
    {
        return evictionWeight;
    }

    /**
     * {@return the number of buckets (lock stripes)}
     */
    public int buckets()
    {
        return buckets.length;
    }

    /**
     * {@return a consistent-per-bucket snapshot of the pool's index}
     */
    public TmemPoolStats stats()
    {
        long objects = 0;
        long pages = 0;
        long evictable = 0;
        long metadata = 0;
        for (final HashBucket bucket : buckets)
        {
            synchronized (bucket)
            {
                objects += bucket.objects();
                pages += bucket.pages;
                evictable += bucket.evictablePages;
                metadata += bucket.metadataBytes;
            }
        }
        return new TmemPoolStats(id, kind, pageSize, shared, objects, pages, evictable, metadata);
    }

    @Override
    public String toString()
    {
        return "TmemPool[" + id + ", " + kind + ", " + pageSize + (shared ? ", shared" : "") +
            (destroyed ? ", destroyed" : "") + "]";
    }

    /**
     * @return how many evictable pages a bucket holds; a lock-free hint.
     */
    long evictablePages(final int bucket)
    {
        return buckets[bucket].evictablePages;
    }

    /**
     * @return when the oldest evictable page of a bucket was put, or {@link Long#MAX_VALUE}; a lock-free hint.
     */
    long oldestStamp(final int bucket)
    {
        return buckets[bucket].oldestStamp();
    }

    /**
     * Evicts the oldest evictable page of a bucket and hands it to the sink after the bucket lock is released.
     *
     * @return whether the bucket had one.
     */
    boolean evictOldest(final int bucketIndex, final EvictedPageSink sink)
    {
        final HashBucket bucket = buckets[bucketIndex];
        final TmemObject owner;
        final int index;
        final long value;
        synchronized (bucket)
        {
            final LruNode node = bucket.oldest();
            if (destroyed || node == null)
            {
                return false;
            }
            owner = node.owner;
            index = node.index;
            value = removeFrom(bucket, owner, index);
        }
        if (value == EMPTY)
        {
            return false;
        }
        sink.evicted(this, owner.a, owner.b, owner.c, index, value);
        return true;
    }

    /**
     * Takes the oldest page of a bucket off its list, leaving it in the pool, and hands it to the sink after the
     * bucket lock is released.
     *
     * @return whether the bucket had one.
     */
    boolean detachOldest(final int bucketIndex, final ColdPageSink sink)
    {
        final HashBucket bucket = buckets[bucketIndex];
        final LruNode node;
        synchronized (bucket)
        {
            node = bucket.oldest();
            if (destroyed || node == null)
            {
                return false;
            }
            bucket.unlink(node);
        }
        sink.cold(this, node.owner.a, node.owner.b, node.owner.c, node.index, node.value);
        return true;
    }

    /**
     * Puts a page {@link Tmem#detachColdest} took off its list back on it, as the newest, if it still holds the
     * value (it could not go where it was meant to).
     *
     * @param a     object id, first 64 bits.
     * @param b     object id, second 64 bits.
     * @param c     object id, third 64 bits.
     * @param index page index, ≥ 0.
     * @param value the value the page must still hold.
     * @return whether it was put back.
     */
    public boolean relink(final long a, final long b, final long c, final int index, final long value)
    {
        checkKey(a, b, c, index);
        if (!lru)
        {
            return false;
        }
        final long hash = hash(a, b, c);
        final HashBucket bucket = bucketOf(hash);
        synchronized (bucket)
        {
            final TmemObject obj = destroyed ? null : bucket.find(a, b, c, hash);
            final LruNode node = obj == null ? null : obj.node(index);
            if (node == null || node.value != value || node.linked)
            {
                return false;
            }
            node.stamp = System.nanoTime();
            bucket.linkNewest(node);
            return true;
        }
    }

    /**
     * Marks the pool destroyed and empties every bucket.
     *
     * @param freer called with every value, outside the bucket locks.
     */
    void destroy(final LongConsumer freer)
    {
        destroyed = true;
        for (final HashBucket bucket : buckets)
        {
            final TmemObject[] fresh = new TmemObject[HashBucket.INITIAL_CAPACITY];
            final TmemObject[] old;
            synchronized (bucket)
            {
                old = bucket.detachAll(fresh);
            }
            for (final TmemObject obj : old)
            {
                if (obj != null)
                {
                    obj.forEachValue(freer);
                }
            }
        }
    }

    private long link(final HashBucket bucket, final TmemObject obj, final int index, final long value,
        final LruNode node, final boolean evictable, final NodeSpares spares)
    {
        if (!lru)
        {
            final long old = obj.putValue(index, value, spares, bucket);
            if (old == EMPTY)
            {
                bucket.pages++;
            }
            return old;
        }
        final LruNode old = obj.putNode(index, node, spares, bucket);
        if (old == null)
        {
            bucket.pages++;
            bucket.metadataBytes += LruNode.BYTES;
        }
        else
        {
            bucket.unlink(old);
        }
        if (evictable)
        {
            bucket.linkNewest(node);
        }
        return old == null ? EMPTY : old.value;
    }

    private long removeFrom(final HashBucket bucket, final TmemObject obj, final int index)
    {
        final long value;
        if (lru)
        {
            final LruNode node = obj.removeNode(index, bucket);
            if (node == null)
            {
                return EMPTY;
            }
            bucket.unlink(node);
            bucket.metadataBytes -= LruNode.BYTES;
            value = node.value;
        }
        else
        {
            value = obj.removeValue(index, bucket);
            if (value == EMPTY)
            {
                return EMPTY;
            }
        }
        bucket.pages--;
        if (obj.pages == 0)
        {
            bucket.remove(obj);
        }
        return value;
    }

    private long valueOf(final TmemObject obj, final int index)
    {
        if (lru)
        {
            final LruNode node = obj.node(index);
            return node == null ? EMPTY : node.value;
        }
        return obj.value(index);
    }

    private void checkLive()
    {
        if (destroyed)
        {
            // an operation racing a close finds its pool destroyed: say so, the caller never destroyed it
            throw new IllegalStateException(
                "pool " + id + " is destroyed (by destroyPool, or because its backend was closed)");
        }
    }

    private HashBucket bucketOf(final long hash)
    {
        return buckets[(int)(hash >>> 32) & bucketMask];
    }

    private static void checkKey(final long a, final long b, final long c, final int index)
    {
        ObjectId.check(a, b, c);
        if (index < 0)
        {
            throw new IllegalArgumentException("page index must be >= 0 (0 to 2147483647), was " + index);
        }
    }
}
