package org.tmem4j.zcache;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.tmem4j.tmem.TmemPool;

/**
 * A lower tier in a heap map, for testing zcache's side of the tier: it can be told to refuse stores or to be
 * unreachable, and counts what it was handed.
 */
final class MapLowerTier implements LowerTier
{
    record Key(int pool, long a, long b, long c, int index)
    {
    }

    final ConcurrentHashMap<Key, byte[]> pages = new ConcurrentHashMap<>();
    final AtomicLong stores = new AtomicLong();
    final AtomicLong refusals = new AtomicLong();
    volatile boolean accepting = true;
    volatile boolean reachable = true;

    @Override
    public boolean store(final TmemPool pool, final long a, final long b, final long c, final int index,
        final MemorySegment compressed)
    {
        if (!accepting)
        {
            refusals.incrementAndGet();
            return false;
        }
        stores.incrementAndGet();
        pages.put(new Key(pool.id(), a, b, c, index), compressed.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        return true;
    }

    @Override
    public int load(final TmemPool pool, final long a, final long b, final long c, final int index,
        final boolean remove, final MemorySegment into)
    {
        if (!reachable)
        {
            return UNREACHABLE;
        }
        final Key key = new Key(pool.id(), a, b, c, index);
        final byte[] page = remove ? pages.remove(key) : pages.get(key);
        if (page == null)
        {
            return MISS;
        }
        MemorySegment.copy(MemorySegment.ofArray(page), 0, into, 0, page.length);
        return page.length;
    }

    @Override
    public boolean invalidatePage(final TmemPool pool, final long a, final long b, final long c, final int index)
    {
        return pages.remove(new Key(pool.id(), a, b, c, index)) != null;
    }

    @Override
    public int invalidateObject(final TmemPool pool, final long a, final long b, final long c)
    {
        final int[] dropped = new int[1];
        pages.keySet().removeIf(key ->
        {
            final boolean match = key.pool() == pool.id() && key.a() == a && key.b() == b && key.c() == c;
            dropped[0] += match ? 1 : 0;
            return match;
        });
        return dropped[0];
    }

    @Override
    public void destroyPool(final TmemPool pool)
    {
        pages.keySet().removeIf(key -> key.pool() == pool.id());
    }

    long pagesOf(final int pool)
    {
        return pages.keySet().stream().filter(key -> key.pool() == pool).count();
    }
}
