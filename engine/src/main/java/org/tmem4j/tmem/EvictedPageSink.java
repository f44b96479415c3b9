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
     * @param value its value, now owned by the sink.
     */
    void evicted(TmemPool pool, long value);
}
