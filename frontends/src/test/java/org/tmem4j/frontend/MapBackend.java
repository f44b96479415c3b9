package org.tmem4j.frontend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An honest in-memory backend for the frontends' tests: pages copied into heap arrays, a page budget shared by all
 * pools, tmem's semantics (ephemeral gets are exclusive, a put replaces), misuse rejected as the engine rejects it,
 * and switches to make puts fail or throw. It records every pool it creates and destroys.
 */
public final class MapBackend implements Backend
{
    /** Answer of a put over the budget. */
    public static final int NO_MEMORY = -1;

    private record ObjectKey(long a, long b, long c)
    {
    }

    /** A created pool. */
    public record PoolInfo(int id, boolean persistent, UUID uuid, int pageSize)
    {
    }

    private final class Pool
    {
        final PoolInfo info;
        final Map<ObjectKey, Map<Integer, byte[]>> objects = new ConcurrentHashMap<>();

        Pool(final PoolInfo info)
        {
            this.info = info;
        }
    }

    private final String name;
    private final long budgetPages;
    private final AtomicLong usedPages = new AtomicLong();
    private final AtomicInteger nextPool = new AtomicInteger();
    private final Map<Integer, Pool> pools = new ConcurrentHashMap<>();
    private final Map<UUID, Integer> sharedPools = new ConcurrentHashMap<>();
    private final List<PoolInfo> created = new ArrayList<>();
    private final List<Integer> destroyed = new ArrayList<>();

    public MapBackend(final String name, final long budgetPages)
    {
        this.name = name;
        this.budgetPages = budgetPages;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public int createEphemeralPool(final int pageSize)
    {
        return create(false, null, pageSize);
    }

    @Override
    public synchronized int createSharedEphemeralPool(final long uuidHi, final long uuidLo, final int pageSize)
    {
        final UUID uuid = new UUID(uuidHi, uuidLo);
        final Integer existing = sharedPools.get(uuid);
        if (existing != null)
        {
            return existing;
        }
        final int id = create(false, uuid, pageSize);
        sharedPools.put(uuid, id);
        return id;
    }

    @Override
    public int createPersistentPool(final int pageSize)
    {
        return create(true, null, pageSize);
    }

    @Override
    public synchronized void destroyPool(final int pool)
    {
        final Pool p = pool(pool);
        pools.remove(pool);
        if (p.info.uuid() != null)
        {
            sharedPools.remove(p.info.uuid());
        }
        for (final Map<Integer, byte[]> pages : p.objects.values())
        {
            usedPages.addAndGet(-pages.size());
        }
        destroyed.add(pool);
    }

    @Override
    public int put(final int pool, final long a, final long b, final long c, final int index, final MemorySegment page)
    {
        final Pool p = pool(pool);
        check(p, a, b, c, index, page);
        final byte[] copy = page.toArray(ValueLayout.JAVA_BYTE);
        final Map<Integer, byte[]> pages = p.objects.computeIfAbsent(new ObjectKey(a, b, c),
            k -> new ConcurrentHashMap<>());
        if (pages.remove(index) != null)
        {
            // a put over a page frees the old copy first, as tmem does
            usedPages.decrementAndGet();
        }
        if (usedPages.incrementAndGet() > budgetPages)
        {
            usedPages.decrementAndGet();
            return NO_MEMORY;
        }
        pages.put(index, copy);
        return STORED;
    }

    @Override
    public boolean get(final int pool, final long a, final long b, final long c, final int index,
        final MemorySegment dst)
    {
        final Pool p = pool(pool);
        check(p, a, b, c, index, dst);
        final Map<Integer, byte[]> pages = p.objects.get(new ObjectKey(a, b, c));
        if (pages == null)
        {
            return false;
        }
        final byte[] data = p.info.persistent() ? pages.get(index) : pages.remove(index);
        if (data == null)
        {
            return false;
        }
        if (!p.info.persistent())
        {
            usedPages.decrementAndGet();
        }
        MemorySegment.copy(data, 0, dst, ValueLayout.JAVA_BYTE, 0, data.length);
        return true;
    }

    @Override
    public boolean invalidatePage(final int pool, final long a, final long b, final long c, final int index)
    {
        final Pool p = pool(pool);
        final Map<Integer, byte[]> pages = p.objects.get(new ObjectKey(a, b, c));
        if (pages != null && pages.remove(index) != null)
        {
            usedPages.decrementAndGet();
            return true;
        }
        return false;
    }

    @Override
    public int invalidateObject(final int pool, final long a, final long b, final long c)
    {
        final Pool p = pool(pool);
        final Map<Integer, byte[]> pages = p.objects.remove(new ObjectKey(a, b, c));
        if (pages == null)
        {
            return 0;
        }
        usedPages.addAndGet(-pages.size());
        return pages.size();
    }

    /** @return the pages held now over all pools. */
    public long usedPages()
    {
        return usedPages.get();
    }

    /** @return every pool created, in order. */
    public synchronized List<PoolInfo> created()
    {
        return List.copyOf(created);
    }

    /** @return every pool destroyed, in order. */
    public synchronized List<Integer> destroyed()
    {
        return List.copyOf(destroyed);
    }

    /** @return how many pools exist now. */
    public int livePools()
    {
        return pools.size();
    }

    private synchronized int create(final boolean persistent, final UUID uuid, final int pageSize)
    {
        if (pageSize < 4096 || pageSize > 65536 || Integer.bitCount(pageSize) != 1)
        {
            throw new IllegalArgumentException("page size " + pageSize);
        }
        final PoolInfo info = new PoolInfo(nextPool.getAndIncrement(), persistent, uuid, pageSize);
        pools.put(info.id(), new Pool(info));
        created.add(info);
        return info.id();
    }

    private Pool pool(final int pool)
    {
        final Pool p = pools.get(pool);
        if (p == null)
        {
            throw new IllegalArgumentException("pool " + pool + " of backend " + name + " does not exist");
        }
        return p;
    }

    private static void check(final Pool p, final long a, final long b, final long c, final int index,
        final MemorySegment page)
    {
        if (a == -1 && b == -1 && c == -1)
        {
            throw new IllegalArgumentException("invalid object id");
        }
        if (index < 0)
        {
            throw new IllegalArgumentException("negative index " + index);
        }
        if (page.byteSize() != p.info.pageSize())
        {
            throw new IllegalArgumentException("page of " + page.byteSize() + " bytes in a pool of "
                + p.info.pageSize());
        }
    }
}
