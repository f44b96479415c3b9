package org.tmem4j.ramster;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.tmem4j.tmem.PoolKind;
import org.tmem4j.tmem.TmemPool;
import org.tmem4j.zcache.LowerTier;

/**
 * zcache's {@link LowerTier} on Redis: ephemeral pools' pages go to one {@link RedisPageStore}, persistent pools'
 * to another (which must drop nothing), so that a page leaves local memory only for a store of its durability.
 * <p>
 * <b>What this node put there.</b> For each private pool the tier remembers which pages it moved to Redis and only
 * asks Redis about those: a local miss on any other page costs no round trip, and an overwrite or flush of a page
 * Redis does not hold sends nothing. Remembering a page before its {@code HSET} is sent and forgetting it before
 * its {@code HDEL} is sent keeps the tmem invariant whatever the interleaving: a copy that lands after its page was
 * overwritten or flushed is no longer remembered, so it is never read (it is an orphan, dropped with its pool or
 * at the next start of this node). A shared pool's pages are put by every node that mounts it, so for those a
 * local miss always asks Redis and every overwrite and flush deletes the remote copy.
 * <p>
 * The remembered set costs about 100 bytes of heap per page in Redis. At start the tier drops every private key of
 * its node id left by an earlier run (a private pool's pages do not outlive the process that created it).
 */
public final class RedisTier implements LowerTier, AutoCloseable
{
    private final String node;
    private final int codecId;
    private final RedisPageStore ephemeral;
    private final RedisPageStore persistent;
    private final ConcurrentHashMap<Long, ConcurrentHashMap<ObjectKey, ConcurrentHashMap<Integer, Long>>> remembered =
        new ConcurrentHashMap<>();
    private final AtomicLong tickets = new AtomicLong();
    private final LongAdder remotified = new LongAdder();
    private final LongAdder repatriated = new LongAdder();
    private final LongAdder refused = new LongAdder();

    private record ObjectKey(long a, long b, long c)
    {
    }

    /**
     * Creates the tier over one store per durability class.
     *
     * @param node       this node's id, stable across restarts ({@link RemoteNamespace#requireNodeId}).
     * @param codecId    the id of zcache's codec, stored with each page; a page of another codec is a miss.
     * @param ephemeral  the store for ephemeral pools, or {@code null} to keep their pages local only.
     * @param persistent the store for persistent pools (a {@link Durability#PERSISTENT} endpoint), or {@code null}.
     */
    public RedisTier(final String node, final int codecId, final RedisPageStore ephemeral,
        final RedisPageStore persistent)
    {
        this.node = RemoteNamespace.requireNodeId(node);
        if (persistent != null && persistent.endpoint().durability() != Durability.PERSISTENT)
        {
            throw new IllegalArgumentException("the store for persistent pools must be a persistent endpoint, was "
                + persistent.endpoint());
        }
        this.codecId = codecId;
        this.ephemeral = ephemeral;
        this.persistent = persistent;
        for (final RedisPageStore store : new RedisPageStore[] {ephemeral, persistent})
        {
            if (store != null)
            {
                store.deleteNamespace(RemoteNamespace.ofNode(node));
            }
        }
    }

    @Override
    public boolean store(final TmemPool pool, final long a, final long b, final long c, final int index,
        final MemorySegment compressed)
    {
        final RedisPageStore store = storeOf(pool);
        if (store == null)
        {
            return false;
        }
        final Long ticket = tickets.incrementAndGet();
        final ObjectKey object = new ObjectKey(a, b, c);
        remember(pool, object, index, ticket);
        if (store.put(namespace(pool), a, b, c, index, codecId, pool.pageSize(), compressed)
            != RedisPageStore.STORED)
        {
            forget(pool, object, index, ticket);
            refused.increment();
            return false;
        }
        remotified.increment();
        return true;
    }

    @Override
    public int load(final TmemPool pool, final long a, final long b, final long c, final int index,
        final boolean remove, final MemorySegment into)
    {
        final RedisPageStore store = storeOf(pool);
        if (store == null)
        {
            return MISS;
        }
        final ObjectKey object = new ObjectKey(a, b, c);
        final Long ticket = rememberedTicket(pool, object, index);
        if (ticket == null && !pool.isShared())
        {
            return MISS;
        }
        final RemotePage page = store.get(namespace(pool), a, b, c, index, remove);
        if (page == RedisPageStore.FAILED)
        {
            return UNREACHABLE;
        }
        if (page == null || page.codecId() != codecId || page.pageSize() != pool.pageSize()
            || page.payload().length > into.byteSize())
        {
            if (ticket != null)
            {
                forget(pool, object, index, ticket);
            }
            return MISS;
        }
        if (remove && ticket != null)
        {
            forget(pool, object, index, ticket);
        }
        MemorySegment.copy(MemorySegment.ofArray(page.payload()), 0, into, 0, page.payload().length);
        repatriated.increment();
        return page.payload().length;
    }

    @Override
    public boolean invalidatePage(final TmemPool pool, final long a, final long b, final long c, final int index)
    {
        final RedisPageStore store = storeOf(pool);
        if (store == null)
        {
            return false;
        }
        final boolean known = forget(pool, new ObjectKey(a, b, c), index, null);
        if (known || pool.isShared())
        {
            store.delete(namespace(pool), a, b, c, index);
        }
        return known;
    }

    @Override
    public int invalidateObject(final TmemPool pool, final long a, final long b, final long c)
    {
        final RedisPageStore store = storeOf(pool);
        if (store == null)
        {
            return 0;
        }
        final ConcurrentHashMap<ObjectKey, ConcurrentHashMap<Integer, Long>> objects = remembered.get(poolKey(pool));
        final ConcurrentHashMap<Integer, Long> pages = objects == null ? null : objects.remove(new ObjectKey(a, b, c));
        if (pages == null && !pool.isShared())
        {
            return 0;
        }
        final long dropped = store.deleteObject(namespace(pool), a, b, c);
        return pages == null ? (int)Math.max(dropped, 0) : pages.size();
    }

    @Override
    public void destroyPool(final TmemPool pool)
    {
        final RedisPageStore store = storeOf(pool);
        remembered.remove(poolKey(pool));
        if (store != null && !pool.isShared())
        {
            store.deleteNamespace(namespace(pool));
        }
    }

    /**
     * {@return pages this node moved to Redis and still counts on (private pools)}
     */
    public long rememberedPages()
    {
        long pages = 0;
        for (final ConcurrentHashMap<ObjectKey, ConcurrentHashMap<Integer, Long>> objects : remembered.values())
        {
            for (final ConcurrentHashMap<Integer, Long> object : objects.values())
            {
                pages += object.size();
            }
        }
        return pages;
    }

    /**
     * {@return pages Redis accepted from zcache}
     */
    public long remotified()
    {
        return remotified.sum();
    }

    /**
     * {@return pages read back from Redis on a local miss}
     */
    public long repatriated()
    {
        return repatriated.sum();
    }

    /**
     * {@return the store for ephemeral pools, or {@code null}}
     */
    public RedisPageStore ephemeralStore()
    {
        return ephemeral;
    }

    /**
     * {@return the store for persistent pools, or {@code null}}
     */
    public RedisPageStore persistentStore()
    {
        return persistent;
    }

    /**
     * Closes both stores.
     */
    @Override
    public void close()
    {
        if (ephemeral != null)
        {
            ephemeral.close();
        }
        if (persistent != null)
        {
            persistent.close();
        }
    }

    @Override
    public String toString()
    {
        return "RedisTier{node=" + node + ", remotified=" + remotified.sum() + ", repatriated=" + repatriated.sum()
            + "}";
    }

    private RedisPageStore storeOf(final TmemPool pool)
    {
        return pool.kind() == PoolKind.PERSISTENT ? persistent : ephemeral;
    }

    private RemoteNamespace namespace(final TmemPool pool)
    {
        return pool.isShared() ? RemoteNamespace.ofSharedPool(pool.uuidHi(), pool.uuidLo())
            : RemoteNamespace.ofPrivatePool(node, pool.id());
    }

    private static Long poolKey(final TmemPool pool)
    {
        return (long)pool.id();
    }

    private void remember(final TmemPool pool, final ObjectKey object, final int index, final Long ticket)
    {
        // compute serializes this with forget's removal of an emptied object, so no page is added to a dropped map
        remembered.computeIfAbsent(poolKey(pool), k -> new ConcurrentHashMap<>())
            .compute(object, (k, pages) ->
            {
                final ConcurrentHashMap<Integer, Long> map = pages == null ? new ConcurrentHashMap<>() : pages;
                map.put(index, ticket);
                return map;
            });
    }

    private Long rememberedTicket(final TmemPool pool, final ObjectKey object, final int index)
    {
        final ConcurrentHashMap<ObjectKey, ConcurrentHashMap<Integer, Long>> objects = remembered.get(poolKey(pool));
        final ConcurrentHashMap<Integer, Long> pages = objects == null ? null : objects.get(object);
        return pages == null ? null : pages.get(index);
    }

    /**
     * Forgets a page (only if it still has {@code ticket}, when one is given).
     *
     * @return whether it was remembered.
     */
    private boolean forget(final TmemPool pool, final ObjectKey object, final int index, final Long ticket)
    {
        final ConcurrentHashMap<ObjectKey, ConcurrentHashMap<Integer, Long>> objects = remembered.get(poolKey(pool));
        if (objects == null)
        {
            return false;
        }
        final boolean[] removed = new boolean[1];
        objects.computeIfPresent(object, (k, pages) ->
        {
            removed[0] = ticket == null ? pages.remove(index) != null : pages.remove(index, ticket);
            return pages.isEmpty() ? null : pages;
        });
        return removed[0];
    }
}
