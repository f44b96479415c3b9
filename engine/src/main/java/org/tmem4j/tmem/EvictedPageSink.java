package org.tmem4j.tmem;

/**
 * Receives a page {@link Tmem#evictOldest(EvictedPageSink)} took out of its pool, after the bucket lock is
 * released, to free its value and account for it.
 */
@FunctionalInterface
public interface EvictedPageSink
{
    /**
     * Takes a page that eviction removed.
     *
     * @param pool  the ephemeral pool the page was in.
     * @param a     its object id, first word.
     * @param b     its object id, second word.
     * @param c     its object id, third word.
     * @param index its page index.
     * @param value its value, now owned by the sink.
     */
    void evicted(TmemPool pool, long a, long b, long c, int index, long value);
}
