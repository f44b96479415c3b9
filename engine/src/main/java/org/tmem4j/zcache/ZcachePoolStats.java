package org.tmem4j.zcache;

import org.tmem4j.tmem.PoolKind;

/**
 * One pool's row of {@link ZcacheStats}.
 *
 * @param id              the pool id.
 * @param kind            ephemeral or persistent.
 * @param pageSize        bytes per page.
 * @param shared          whether it is a shared pool.
 * @param objects         objects holding pages.
 * @param pages           pages stored.
 * @param sameFilledPages of those, pages stored as their repeated word (no allocation).
 * @param compressedBytes bytes of allocator objects holding this pool's pages (compressed data, checksums, span
 *                        directories).
 * @param metadataBytes   estimated heap bytes of the pool's index.
 */
public record ZcachePoolStats(int id, PoolKind kind, int pageSize, boolean shared, long objects, long pages,
    long sameFilledPages, long compressedBytes, long metadataBytes)
{
}
