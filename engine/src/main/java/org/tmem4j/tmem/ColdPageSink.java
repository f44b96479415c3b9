package org.tmem4j.tmem;

/**
 * Receives the page {@link Tmem#detachColdest(PoolKind, ColdPageSink)} took off its bucket's list, after the bucket
 * lock is released. The page is still in its pool, readable and owned by the pool: the sink copies it where it goes
 * and then removes it with {@link TmemPool#takeIf}, or puts it back on the list with {@link TmemPool#relink}.
 */
@FunctionalInterface
public interface ColdPageSink
{
    /**
     * Takes the coldest page.
     *
     * @param pool  the page's pool.
     * @param a     its object id, first word.
     * @param b     its object id, second word.
     * @param c     its object id, third word.
     * @param index its page index.
     * @param value its value when it was detached (another thread may replace or remove it meanwhile).
     */
    void cold(TmemPool pool, long a, long b, long c, int index, long value);
}
