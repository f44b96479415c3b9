package org.tmem4j.tmem;

/**
 * One of a pool's lock stripes: the objects whose ids hash to it, in an open-addressing table, and, in ephemeral
 * pools, the list of its evictable pages from newest to oldest. Its monitor is the lock; every field is read and
 * written under it, except {@link #oldestStamp()}, a racy hint for choosing where to evict.
 * <pre>
 *   table: [obj][ - ][obj][obj][ - ] ...   linear probing, load &le; 3/4, backward-shift deletion
 *   lru:   newest &lt;-&gt; ... &lt;-&gt; oldest      (LruNode.newer / .older)
 * </pre>
 * The table only grows, and then into an array made before the lock was taken.
 */
final class HashBucket
{
    static final int INITIAL_CAPACITY = 8;

    private TmemObject[] table = new TmemObject[INITIAL_CAPACITY];
    private int objects;
    private LruNode newest;
    private LruNode oldest;

    /** Heap bytes of this bucket's index: objects, nodes, the table (estimate, compressed references). */
    long metadataBytes = tableBytes(INITIAL_CAPACITY);
    /** Pages stored under this bucket. */
    long pages;
    /** Pages on the eviction list. */
    long evictablePages;

    static int tableBytes(final int capacity)
    {
        return 16 + 4 * capacity;
    }

    int capacity()
    {
        return table.length;
    }

    int objects()
    {
        return objects;
    }

    /**
     * Adds every page of every object to a batch, under this bucket's lock.
     */
    void collect(final PageBatch batch)
    {
        for (final TmemObject obj : table)
        {
            if (obj != null)
            {
                obj.collect(batch);
            }
        }
    }

    TmemObject find(final long a, final long b, final long c, final long hash)
    {
        final TmemObject[] t = table;
        final int mask = t.length - 1;
        for (int i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            final TmemObject obj = t[i];
            if (obj == null || obj.is(a, b, c))
            {
                return obj;
            }
        }
    }

    /**
     * @return whether adding an object needs a larger table first.
     */
    boolean needsGrowth()
    {
        return (objects + 1) * 4L > table.length * 3L;
    }

    /**
     * @param obj   a new object, not in the table.
     * @param grown an empty array of a larger power-of-two size, made outside the lock, when
     *              {@link #needsGrowth()}; else ignored.
     */
    void insert(final TmemObject obj, final TmemObject[] grown)
    {
        if (needsGrowth())
        {
            final TmemObject[] old = table;
            metadataBytes += tableBytes(grown.length) - tableBytes(old.length);
            table = grown;
            for (final TmemObject moved : old)
            {
                if (moved != null)
                {
                    place(moved);
                }
            }
        }
        place(obj);
        objects++;
        metadataBytes += TmemObject.BYTES;
    }

    /**
     * Takes an object out of the table and credits its metadata; its pages stay in it for the caller to free.
     */
    void remove(final TmemObject obj)
    {
        final TmemObject[] t = table;
        final int mask = t.length - 1;
        int hole = (int)TmemPool.hash(obj.a, obj.b, obj.c) & mask;
        while (t[hole] != obj)
        {
            hole = (hole + 1) & mask;
        }
        t[hole] = null;
        for (int i = (hole + 1) & mask; t[i] != null; i = (i + 1) & mask)
        {
            final int home = (int)TmemPool.hash(t[i].a, t[i].b, t[i].c) & mask;
            if (((i - home) & mask) >= ((i - hole) & mask))
            {
                t[hole] = t[i];
                t[i] = null;
                hole = i;
            }
        }
        objects--;
        pages -= obj.pages;
        metadataBytes -= TmemObject.BYTES + obj.treeBytes();
    }

    /**
     * Empties the bucket, for a pool being destroyed.
     *
     * @param fresh an empty table of {@link #INITIAL_CAPACITY}, made outside the lock.
     * @return the old table, whose objects the caller frees outside the lock.
     */
    TmemObject[] detachAll(final TmemObject[] fresh)
    {
        final TmemObject[] old = table;
        table = fresh;
        objects = 0;
        pages = 0;
        evictablePages = 0;
        newest = null;
        oldest = null;
        metadataBytes = tableBytes(fresh.length);
        return old;
    }

    void linkNewest(final LruNode node)
    {
        node.older = newest;
        node.newer = null;
        if (newest != null)
        {
            newest.newer = node;
        }
        else
        {
            oldest = node;
        }
        newest = node;
        node.linked = true;
        evictablePages++;
    }

    void unlink(final LruNode node)
    {
        if (!node.linked)
        {
            return;
        }
        if (node.newer != null)
        {
            node.newer.older = node.older;
        }
        else
        {
            newest = node.older;
        }
        if (node.older != null)
        {
            node.older.newer = node.newer;
        }
        else
        {
            oldest = node.newer;
        }
        node.newer = null;
        node.older = null;
        node.linked = false;
        evictablePages--;
    }

    LruNode oldest()
    {
        return oldest;
    }

    /**
     * @return when the oldest evictable page was put ({@link System#nanoTime()}), or {@link Long#MAX_VALUE} if
     * there is none; read without the lock, so only a hint.
     */
    long oldestStamp()
    {
        final LruNode node = oldest;
        return node == null ? Long.MAX_VALUE : node.stamp;
    }

    private void place(final TmemObject obj)
    {
        final TmemObject[] t = table;
        final int mask = t.length - 1;
        int i = (int)TmemPool.hash(obj.a, obj.b, obj.c) & mask;
        while (t[i] != null)
        {
            i = (i + 1) & mask;
        }
        t[i] = obj;
    }
}
