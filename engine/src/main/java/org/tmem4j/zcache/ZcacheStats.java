package org.tmem4j.zcache;

import java.util.List;

import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.memory.PageMemoryStats;

/**
 * A snapshot of a {@link Zcache}'s counters, in the spirit of zcache's debugfs. Event counters are cumulative since
 * the backend was built; the rest are levels at the time of the snapshot. Counters are read one by one while the
 * backend runs, so they are individually exact but not taken at one instant.
 *
 * @param puts                    put calls.
 * @param putsStored              puts that stored the page.
 * @param sameFilled              puts stored as a same-filled word (no compression, no allocation).
 * @param failedPutsNoMemory      puts that failed for want of memory ({@link Zcache#NO_MEMORY}).
 * @param failedPutsPoorCompression puts refused for poor compression ({@link Zcache#POOR_COMPRESSION}).
 * @param compressPoor            pages compressing above 7/8 of a page (refused).
 * @param meanCompressPoor        persistent pages above 5/8 of a page refused while the persistent mean was above
 *                                5/8 too.
 * @param persistentAteEphemeral  ephemeral pages evicted to make room for a persistent put.
 * @param gets                    get calls.
 * @param getHits                 gets that returned a page.
 * @param getMisses               gets that found nothing.
 * @param corruptPages            pages found damaged by a get (checksum or codec), dropped.
 * @param flushPages              flushPage calls.
 * @param flushPagesFound         flushPage calls that removed a page.
 * @param flushObjects            flushObject calls.
 * @param flushObjectPages        pages removed by flushObject.
 * @param evictions               ephemeral pages evicted (budget reached or lowered).
 * @param storedPages             pages stored now, over all pools.
 * @param sameFilledPages         of those, pages stored as a word.
 * @param compressedBytes         bytes of the allocator objects holding them.
 * @param poolPages               pages the allocator holds from page memory.
 * @param poolBytes               those pages in bytes.
 * @param metadataBytes           estimated heap bytes of the tmem index (on-heap; the engine keeps no off-heap
 *                                metadata outside the allocator's pages, whose own headers count in poolBytes).
 * @param budgetBytes             the memory budget.
 * @param pools                   one row per live pool.
 * @param allocator               the allocator's own accounting.
 * @param memory                  the page memory's accounting.
 */
public record ZcacheStats(
    long puts,
    long putsStored,
    long sameFilled,
    long failedPutsNoMemory,
    long failedPutsPoorCompression,
    long compressPoor,
    long meanCompressPoor,
    long persistentAteEphemeral,
    long gets,
    long getHits,
    long getMisses,
    long corruptPages,
    long flushPages,
    long flushPagesFound,
    long flushObjects,
    long flushObjectPages,
    long evictions,
    long storedPages,
    long sameFilledPages,
    long compressedBytes,
    long poolPages,
    long poolBytes,
    long metadataBytes,
    long budgetBytes,
    List<ZcachePoolStats> pools,
    AllocatorStats allocator,
    PageMemoryStats memory)
{
    /**
     * Creates the statistics; the canonical constructor, which copies {@code pools}.
     *
     * @param pools the rows, copied.
     */
    public ZcacheStats
    {
        pools = List.copyOf(pools);
    }

    /**
     * {@return bytes of the pages stored (each at its pool's page size) per byte of memory used for them (pool pages
     * plus index metadata); 0 when nothing is stored}
     */
    public double effectiveRatio()
    {
        long original = 0;
        for (final ZcachePoolStats pool : pools)
        {
            original += pool.pages() * pool.pageSize();
        }
        final long used = poolBytes + metadataBytes;
        return used == 0 ? 0.0 : (double)original / used;
    }
}
