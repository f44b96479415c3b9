package org.tmem4j.zcache;

import java.util.List;
import java.util.function.ToLongFunction;

import org.tmem4j.stats.CounterCatalog;
import org.tmem4j.stats.CounterUnit;
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
    /**
     * The counters of an engine's pools of one kind, summed over them: its sources of kind {@code pool}, one per pool
     * kind, tagged {@code pool=ephemeral} or {@code pool=persistent}.
     */
    public static final CounterCatalog<List<ZcachePoolStats>> COUNTERS = CounterCatalog.<List<ZcachePoolStats>>builder()
        .gauge("pools", CounterUnit.POOLS, "live pools of this kind", List::size)
        .gauge("objects", CounterUnit.OBJECTS, "tmem objects (a file's or a swap area's pages) in these pools",
            rows -> sum(rows, ZcachePoolStats::objects))
        .gauge("pages", CounterUnit.PAGES, "pages stored in these pools", rows -> sum(rows, ZcachePoolStats::pages))
        .gauge("same_filled_pages", CounterUnit.PAGES, "of those, pages kept as one repeated word",
            rows -> sum(rows, ZcachePoolStats::sameFilledPages))
        .gauge("compressed_bytes", CounterUnit.BYTES, "bytes of the allocator objects holding these pools' pages",
            rows -> sum(rows, ZcachePoolStats::compressedBytes))
        .gauge("metadata_bytes", CounterUnit.BYTES, "estimated heap bytes of these pools' index",
            rows -> sum(rows, ZcachePoolStats::metadataBytes))
        .build();

    private static long sum(final List<ZcachePoolStats> rows, final ToLongFunction<ZcachePoolStats> column)
    {
        long sum = 0;
        for (final ZcachePoolStats row : rows)
        {
            sum += column.applyAsLong(row);
        }
        return sum;
    }
}
