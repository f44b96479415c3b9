package org.tmem4j.tmem;

/**
 * A snapshot of one pool's index, each bucket read under its lock.
 *
 * @param id             the pool's id.
 * @param kind           ephemeral or persistent.
 * @param pageSize       its page size in bytes.
 * @param shared         whether it is a shared pool.
 * @param objects        objects holding at least one page.
 * @param pages          pages stored.
 * @param evictablePages pages on the eviction lists (ephemeral pools, and persistent pools whose backend has a tier
 *                       below; 0 for other persistent pools).
 * @param metadataBytes  estimated heap bytes of the index: buckets' tables, objects, radix nodes, list nodes.
 */
public record TmemPoolStats(int id, PoolKind kind, int pageSize, boolean shared, long objects, long pages,
    long evictablePages, long metadataBytes)
{
}
