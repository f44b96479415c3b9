package org.tmem4j.tmem;

/**
 * The pages of one bucket as {@link TmemPool#scanBucket} found them: keys and values, copied out under the bucket
 * lock into arrays made beforehand (nothing is allocated under a bucket lock), for a caller that works on them
 * after the lock is released and checks each value again before acting on it.
 */
public final class PageBatch
{
    long[] oids;
    int[] indexes;
    long[] values;
    int size;
    /** Pages the bucket held; more than the capacity means the batch must grow and the bucket be scanned again. */
    int found;

    /**
     * Creates an empty batch.
     *
     * @param capacity pages it holds before it must grow, at least 1.
     */
    public PageBatch(final int capacity)
    {
        allocate(Math.max(1, capacity));
    }

    /**
     * {@return pages in the batch}
     */
    public int size()
    {
        return size;
    }

    /**
     * {@return the first 64 bits of page {@code i}'s object id}
     *
     * @param i 0 to {@link #size()} - 1.
     */
    public long oidA(final int i)
    {
        return oids[3 * i];
    }

    /**
     * {@return the second 64 bits of page {@code i}'s object id}
     *
     * @param i 0 to {@link #size()} - 1.
     */
    public long oidB(final int i)
    {
        return oids[3 * i + 1];
    }

    /**
     * {@return the third 64 bits of page {@code i}'s object id}
     *
     * @param i 0 to {@link #size()} - 1.
     */
    public long oidC(final int i)
    {
        return oids[3 * i + 2];
    }

    /**
     * {@return page {@code i}'s index}
     *
     * @param i 0 to {@link #size()} - 1.
     */
    public int index(final int i)
    {
        return indexes[i];
    }

    /**
     * {@return page {@code i}'s value when the bucket was scanned}
     *
     * @param i 0 to {@link #size()} - 1.
     */
    public long value(final int i)
    {
        return values[i];
    }

    void clear()
    {
        size = 0;
        found = 0;
    }

    /** Under the bucket lock: records a page if there is room, counts it either way. */
    void add(final TmemObject obj, final int index, final long value)
    {
        found++;
        if (size < indexes.length)
        {
            oids[3 * size] = obj.a;
            oids[3 * size + 1] = obj.b;
            oids[3 * size + 2] = obj.c;
            indexes[size] = index;
            values[size] = value;
            size++;
        }
    }

    /** Outside the lock: room for {@code found} pages. */
    void grow()
    {
        allocate(Math.max(found, indexes.length * 2));
    }

    private void allocate(final int capacity)
    {
        oids = new long[3 * capacity];
        indexes = new int[capacity];
        values = new long[capacity];
    }
}
