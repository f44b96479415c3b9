package org.tmem4j.frontend;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.tmem4j.frontend.frontswap.SlotWriteback;
import org.tmem4j.stats.CounterSource;

/**
 * What the frontends store pages in: the JVM's {@code cleancache_ops} and {@code frontswap_ops} in one interface.
 * <p>
 * A backend keeps pools of pages. An <i>ephemeral</i> pool (cleancache) may drop any page at any time, and a get
 * from it is exclusive: a hit removes the page. A <i>persistent</i> pool (frontswap) keeps every page it accepted
 * until it is invalidated, and a get leaves the page in place; a put into it may fail, and the frontend then keeps
 * the page elsewhere. A page is keyed by a 192-bit object id ({@code a, b, c}; all three {@code -1} is invalid)
 * and an index within the object. A put over an existing page replaces it, and a put that fails leaves no copy of
 * the page behind: a later get misses rather than returning an older page.
 * <p>
 * Normal failures (no memory, a page that compresses poorly) are answered with sentinels; misuse (an unknown or
 * destroyed pool, a buffer of the wrong size, an invalid id) throws {@link IllegalArgumentException} or
 * {@link IllegalStateException}. All methods are thread-safe. The frontends serialize the operations on one page;
 * a backend never sees two concurrent operations on the same page of a persistent pool.
 */
public interface Backend
{
    /** Answer of {@link #put} when the page is stored. Any negative answer is a reason the page was not stored. */
    int STORED = 0;

    /**
     * {@return a short name for messages and counters, e.g. {@code zcache}}
     */
    String name();

    /**
     * Whether the backend can disappear without warning, taking the pages it holds: a daemon in another process
     * that may be killed. Frontswap then writes every page it gives the backend through to its swap file, so that
     * no persistent page lives only in the backend; a backend that is gone answers every get with a miss.
     *
     * @return {@code false} unless the backend's pages can vanish with it.
     */
    default boolean mayVanish()
    {
        return false;
    }

    /**
     * {@return the backend's own counter sources (for zcache: its engine, allocator and page memory), for
     * {@link CounterPublication#addEngine(Backend)} and the Micrometer binder; none by default. The sources are made
     * on each call and read 0 once the backend is closed}
     */
    default List<CounterSource> counters()
    {
        return List.of();
    }

    /**
     * {@return the id of a new private ephemeral pool, {@code >= 0}}
     *
     * @param pageSize as {@link org.tmem4j.tmem.PageSizes} allows.
     */
    int createEphemeralPool(int pageSize);

    /**
     * {@return the id of the ephemeral pool shared by every caller with this uuid, {@code >= 0}}
     *
     * @param uuidHi   the high 64 bits of the shared filesystem's uuid.
     * @param uuidLo   the low 64 bits.
     * @param pageSize as {@link org.tmem4j.tmem.PageSizes} allows.
     */
    int createSharedEphemeralPool(long uuidHi, long uuidLo, int pageSize);

    /**
     * {@return the id of a new persistent pool, {@code >= 0}}
     *
     * @param pageSize as {@link org.tmem4j.tmem.PageSizes} allows.
     */
    int createPersistentPool(int pageSize);

    /**
     * Creates a persistent pool for a swap area, which the backend may write its coldest pages back to (zswap's
     * writeback); a backend without writeback ignores the area's side of it.
     *
     * @param pageSize  as {@link org.tmem4j.tmem.PageSizes} allows.
     * @param writeback writes a page of this pool back to its slot of the area's file.
     * @return the id of a new persistent pool, {@code >= 0}.
     */
    default int createPersistentPool(final int pageSize, final SlotWriteback writeback)
    {
        return createPersistentPool(pageSize);
    }

    /**
     * Drops a pool and every page in it.
     *
     * @param pool a pool id.
     */
    void destroyPool(int pool);

    /**
     * {@return {@link #STORED}, or a negative reason}
     *
     * @param pool  a pool id.
     * @param a     object id, first word.
     * @param b     object id, second word.
     * @param c     object id, third word.
     * @param index page index within the object, {@code >= 0}.
     * @param page  the page, exactly the pool's page size.
     */
    int put(int pool, long a, long b, long c, int index, MemorySegment page);

    /**
     * {@return whether the page was there}
     *
     * @param pool  a pool id.
     * @param a     object id, first word.
     * @param b     object id, second word.
     * @param c     object id, third word.
     * @param index page index within the object, {@code >= 0}.
     * @param dst   receives the page on a hit; exactly the pool's page size.
     */
    boolean get(int pool, long a, long b, long c, int index, MemorySegment dst);

    /**
     * {@return whether the page was there}
     *
     * @param pool  a pool id.
     * @param a     object id, first word.
     * @param b     object id, second word.
     * @param c     object id, third word.
     * @param index page index within the object, {@code >= 0}.
     */
    boolean invalidatePage(int pool, long a, long b, long c, int index);

    /**
     * {@return how many pages of the object were dropped}
     *
     * @param pool a pool id.
     * @param a    object id, first word.
     * @param b    object id, second word.
     * @param c    object id, third word.
     */
    int invalidateObject(int pool, long a, long b, long c);
}
