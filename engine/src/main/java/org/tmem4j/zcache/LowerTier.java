package org.tmem4j.zcache;

import java.lang.foreign.MemorySegment;

import org.tmem4j.tmem.TmemPool;

/**
 * Where zcache's pages go when local memory runs short, and where a local miss looks next: ramster's remote memory,
 * zswap's writeback. zcache hands a page down compressed by its codec alone, and frees its own copy only after
 * {@link #store} accepted it: a page it stored so is handed down as stored; a page it compressed with a pool's
 * dictionary ({@code zstd+dict}), or recompressed with a codec its own cannot read, is compressed again first, so a
 * tier never needs zcache's dictionaries (a shared pool's pages below are read by other nodes, and outlive any
 * dictionary of this engine).
 * <p>
 * <b>When zcache calls it.</b> When the budget is full, zcache moves its coldest pages down, ephemeral ones first
 * (the least recently put, zcache's LRU per pool kind), then persistent ones: each is offered to the tiers in turn
 * while it is still readable locally, and freed locally only once a tier took it (an ephemeral page nobody takes is
 * dropped; a persistent one stays). A put that finds nothing to move offers the new page to the tiers that
 * {@linkplain #acceptsNewPages() take new pages} instead of failing (and so does every put while zcache is full,
 * until usage falls under the accept threshold). A local miss asks {@link #load}. Every put that zcache keeps
 * locally, every flush and every pool destruction tells the tier, so that a copy the tier holds never outlives the
 * page: after a flush or an overwrite, no get returns the older page. zcache calls {@code store} and the
 * invalidations of one page under one of its key locks, never two of them at once for one page.
 * <p>
 * <b>Durability.</b> For a persistent pool, {@code store} returning {@code true} means the page is as safe as in
 * zcache (acknowledged by a store that drops nothing); a tier that cannot promise that refuses persistent pages.
 * An ephemeral page may be dropped by the tier at any time: that is a miss.
 * <p>
 * Implementations are thread-safe; {@link #load} of a page may run while it is being stored or invalidated.
 */
public interface LowerTier
{
    /** {@link #load}: the tier does not have the page. */
    int MISS = -1;
    /** {@link #load}: the tier may have the page but cannot be reached now. */
    int UNREACHABLE = -2;

    /**
     * Takes a page zcache is letting go.
     *
     * @param pool       the page's pool.
     * @param a          object id, first word.
     * @param b          object id, second word.
     * @param c          object id, third word.
     * @param index      page index.
     * @param compressed the page compressed by zcache's codec (without dictionary), exactly its length; a page
     *                   zcache keeps raw (incompressible) is handed over as itself, exactly one page long.
     * @return whether the tier now holds the page; if not, zcache keeps or drops it as it would without a tier.
     */
    boolean store(TmemPool pool, long a, long b, long c, int index, MemorySegment compressed);

    /**
     * {@return whether the tier takes pages that never were in zcache (a put that found no room); a tier that only
     * takes pages zcache held, such as frontswap's writeback to a swap file whose slots the frontend tracks, says
     * no, and such a put fails as without a tier}
     */
    default boolean acceptsNewPages()
    {
        return true;
    }

    /**
     * Reads a page zcache does not hold.
     *
     * @param pool   the page's pool.
     * @param a      object id, first word.
     * @param b      object id, second word.
     * @param c      object id, third word.
     * @param index  page index.
     * @param remove whether the tier should drop its copy (ephemeral pools and exclusive gets).
     * @param into   receives the compressed page from offset 0; at least the codec's bound for a page.
     * @return the compressed length, {@link #MISS} or {@link #UNREACHABLE}.
     */
    int load(TmemPool pool, long a, long b, long c, int index, boolean remove, MemorySegment into);

    /**
     * Drops the tier's copy of a page, if it has one: zcache now holds a newer page or none.
     *
     * @param pool  the page's pool.
     * @param a     object id, first word.
     * @param b     object id, second word.
     * @param c     object id, third word.
     * @param index page index.
     * @return whether the tier had a copy.
     */
    boolean invalidatePage(TmemPool pool, long a, long b, long c, int index);

    /**
     * Drops the tier's copies of an object's pages.
     *
     * @param pool the object's pool.
     * @param a    object id, first word.
     * @param b    object id, second word.
     * @param c    object id, third word.
     * @return how many pages the tier dropped.
     */
    int invalidateObject(TmemPool pool, long a, long b, long c);

    /**
     * Drops every page of a pool that zcache destroyed.
     *
     * @param pool the destroyed pool.
     */
    void destroyPool(TmemPool pool);
}
