package org.tmem4j.ramster;

/**
 * The two classes of remote page, each with its own Redis endpoint.
 */
public enum Durability
{
    /**
     * Cleancache pages: the Redis may be a cache ({@code maxmemory} with an evicting policy) and drop any page; a
     * dropped page is a miss, never an error.
     */
    EPHEMERAL,

    /**
     * Frontswap pages: the Redis must drop nothing ({@code maxmemory-policy noeviction}) and fsync every write to
     * its append-only file ({@code appendonly yes}, {@code appendfsync always}); a page leaves local memory only
     * after Redis acknowledged it. The store checks this when it connects and refuses any other Redis.
     */
    PERSISTENT
}
