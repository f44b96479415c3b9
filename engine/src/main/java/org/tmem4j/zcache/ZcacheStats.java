package org.tmem4j.zcache;

import static org.tmem4j.stats.CounterUnit.BYTES;
import static org.tmem4j.stats.CounterUnit.EVENTS;
import static org.tmem4j.stats.CounterUnit.OBJECTS;
import static org.tmem4j.stats.CounterUnit.OPERATIONS;
import static org.tmem4j.stats.CounterUnit.PAGES;

import java.util.List;

import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.memory.PageMemoryStats;
import org.tmem4j.stats.CounterCatalog;

/**
 * A snapshot of a {@link Zcache}'s counters, in the spirit of zcache's debugfs. Event counters are cumulative since
 * the backend was built; the rest are levels at the time of the snapshot. Counters are read one by one while the
 * backend runs, so they are individually exact but not taken at one instant.
 *
 * @param puts                    put calls.
 * @param putsStored              puts that stored the page.
 * @param sameFilled              puts stored as a same-filled word (no compression, no allocation).
 * @param putsRaw                 puts stored uncompressed because they compress above 7/8 of a page
 *                                ({@link Zcache.Builder#rawIncompressible(boolean)}).
 * @param failedPutsNoMemory      puts that failed for want of memory ({@link Zcache#NO_MEMORY}).
 * @param failedPutsPoorCompression puts refused for poor compression ({@link Zcache#POOR_COMPRESSION}).
 * @param compressPoor            pages compressing above 7/8 of a page (refused, or stored raw).
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
 * @param evictions               pages freed for room (budget reached or lowered): ephemeral pages evicted, and
 *                                with lower tiers, pages of either kind moved down.
 * @param compressorWaits         compressor slot acquisitions that found every slot held and no spare left, and
 *                                waited.
 * @param compressorSlots         compression contexts made: one per slot up front, plus the spares made where
 *                                threads outnumbered the slots.
 * @param storedPages             pages stored now, over all pools.
 * @param sameFilledPages         of those, pages stored as a word.
 * @param compressedBytes         bytes of the allocator objects holding them.
 * @param poolPages               pages the allocator holds from page memory.
 * @param poolBytes               those pages in bytes.
 * @param metadataBytes           estimated heap bytes of the tmem index (on-heap; the engine keeps no off-heap
 *                                metadata outside the allocator's pages, whose own headers count in poolBytes).
 * @param budgetBytes             the memory budget.
 * @param dictionariesMade        zstd dictionaries made (of sample pages, or trained on them) since the engine was
 *                                built ({@code +dict} codecs).
 * @param dictionaries            dictionaries alive now.
 * @param dictionaryBytes         their off-heap bytes, which {@link #effectiveRatio()} counts as memory used.
 * @param dictionaryCompressors   forms of them prepared for compressing (zstd's CDicts, one per level), which only a
 *                                pool's current dictionary keeps: each takes native memory of several times its
 *                                dictionary's bytes (513 KiB for 128 KiB at level 3) that {@code dictionaryBytes}
 *                                does not count.
 * @param dictionaryResamples     drifts that started a fresh sample for a pool's next dictionary.
 * @param dictionaryMigratedPages pages moved from a superseded dictionary to their pool's current one, so that the
 *                                old one is freed with its last page.
 * @param recompressedPages       pages the recompression agent stored again with its stronger codec.
 * @param recompressSavedBytes    bytes that saved.
 * @param recompressSkippedPages  idle pages the agent compressed and found saving too little.
 * @param pools                   one row per live pool.
 * @param allocator               the allocator's own accounting.
 * @param memory                  the page memory's accounting.
 */
public record ZcacheStats(
    long puts,
    long putsStored,
    long sameFilled,
    long putsRaw,
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
    long compressorWaits,
    long compressorSlots,
    long storedPages,
    long sameFilledPages,
    long compressedBytes,
    long poolPages,
    long poolBytes,
    long metadataBytes,
    long budgetBytes,
    long dictionariesMade,
    long dictionaries,
    long dictionaryBytes,
    long dictionaryCompressors,
    long dictionaryResamples,
    long dictionaryMigratedPages,
    long recompressedPages,
    long recompressSavedBytes,
    long recompressSkippedPages,
    List<ZcachePoolStats> pools,
    AllocatorStats allocator,
    PageMemoryStats memory)
{
    /** The engine's counters, as its source of kind {@code engine} shows them; kernel zcache's names where it had one. */
    public static final CounterCatalog<ZcacheStats> COUNTERS = CounterCatalog.<ZcacheStats>builder()
        .counter("puts", OPERATIONS, "put calls, whether the page was stored or not", ZcacheStats::puts)
        .counter("puts_stored", OPERATIONS, "puts that stored the page", ZcacheStats::putsStored)
        .counter("same_filled", OPERATIONS, "puts stored as one repeated word: no compression, no allocation",
            ZcacheStats::sameFilled)
        .counter("puts_raw", OPERATIONS, "puts stored uncompressed because the page compressed above 7/8 of a page "
            + "and the budget had room (rawIncompressible)", ZcacheStats::putsRaw)
        .counter("failed_puts_no_memory", OPERATIONS, "puts that failed for want of memory within the budget",
            ZcacheStats::failedPutsNoMemory)
        .counter("failed_puts_poor_compression", OPERATIONS, "puts refused because the page compressed poorly",
            ZcacheStats::failedPutsPoorCompression)
        .counter("compress_poor", PAGES, "pages compressing to more than 7/8 of a page (refused, or stored raw)",
            ZcacheStats::compressPoor)
        .counter("mean_compress_poor", PAGES, "persistent pages over 5/8 of a page refused while the mean of "
            + "persistent pages was over 5/8 too", ZcacheStats::meanCompressPoor)
        .counter("pers_ate_eph", PAGES, "ephemeral pages evicted to make room for a persistent put (persistent ate "
            + "ephemeral)", ZcacheStats::persistentAteEphemeral)
        .counter("gets", OPERATIONS, "get calls", ZcacheStats::gets)
        .counter("get_hits", OPERATIONS, "gets that returned a page", ZcacheStats::getHits)
        .counter("get_misses", OPERATIONS, "gets that found no page", ZcacheStats::getMisses)
        .counter("corrupt_pages", PAGES, "pages a get found damaged (checksum or codec error) and dropped",
            ZcacheStats::corruptPages)
        .counter("flush_pages", OPERATIONS, "flushPage calls (invalidate one page)", ZcacheStats::flushPages)
        .counter("flush_pages_found", OPERATIONS, "flushPage calls that removed a page", ZcacheStats::flushPagesFound)
        .counter("flush_objects", OPERATIONS, "flushObject calls (invalidate every page of an object)",
            ZcacheStats::flushObjects)
        .counter("flush_object_pages", PAGES, "pages removed by flushObject calls", ZcacheStats::flushObjectPages)
        .counter("evictions", PAGES, "pages freed because the budget was reached or lowered (ephemeral pages "
            + "evicted; with lower tiers, pages of either kind moved down)",
            ZcacheStats::evictions)
        .counter("compressor_waits", EVENTS, "compressor slot acquisitions that found every slot held and no spare "
            + "left to make, and waited", ZcacheStats::compressorWaits)
        .gauge("compressor_slots", OBJECTS, "compression contexts made: one per compressor slot up front, plus the "
            + "spares made where threads outnumbered them", ZcacheStats::compressorSlots)
        .gauge("stored_pages", PAGES, "pages stored now, over all pools", ZcacheStats::storedPages)
        .gauge("same_filled_pages", PAGES, "stored pages kept as one repeated word", ZcacheStats::sameFilledPages)
        .gauge("compressed_bytes", BYTES, "bytes of the allocator objects holding the stored pages (compressed data, "
            + "checksums, span directories)", ZcacheStats::compressedBytes)
        .gauge("pool_pages", PAGES, "pages the allocator holds from page memory", ZcacheStats::poolPages)
        .gauge("metadata_bytes", BYTES, "estimated heap bytes of the page index", ZcacheStats::metadataBytes)
        .gauge("budget_bytes", BYTES, "the memory budget: most bytes page memory may map", ZcacheStats::budgetBytes)
        .counter("dictionaries_made", EVENTS, "zstd dictionaries made of or trained on the pools' own "
            + "pages (codec zstd+dict)", ZcacheStats::dictionariesMade)
        .gauge("dictionaries", OBJECTS, "dictionaries alive: a pool's current one, and older ones still used by "
            + "pages", ZcacheStats::dictionaries)
        .gauge("dictionary_bytes", BYTES, "off-heap bytes of the dictionaries alive", ZcacheStats::dictionaryBytes)
        .gauge("dictionary_compressors", OBJECTS, "forms of the dictionaries alive prepared for compressing (zstd "
            + "CDicts, one per level): only the pools' current dictionaries keep one",
            ZcacheStats::dictionaryCompressors)
        .counter("dictionary_resamples", EVENTS, "drifts of a dictionary's compressed sizes that started a fresh "
            + "sample of its pool's pages for the next one", ZcacheStats::dictionaryResamples)
        .counter("dictionary_migrated_pages", PAGES, "pages moved from a superseded dictionary to their pool's "
            + "current one in the background, so that the old one is freed with its last page",
            ZcacheStats::dictionaryMigratedPages)
        .counter("recompressed_pages", PAGES, "idle pages the recompression agent stored again with its stronger "
            + "codec (zram's recompress)", ZcacheStats::recompressedPages)
        .counter("recompress_saved_bytes", BYTES, "bytes the recompressed pages take less than before",
            ZcacheStats::recompressSavedBytes)
        .counter("recompress_skipped_pages", PAGES, "idle pages the agent compressed again and found saving less than "
            + "recompress.minSavedBytes (not looked at again)", ZcacheStats::recompressSkippedPages)
        .build();

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
     * {@return bytes of the pages stored (each at its pool's page size) per byte of memory used for them (pool pages,
     * index metadata and dictionaries); 0 when nothing is stored}
     */
    public double effectiveRatio()
    {
        long original = 0;
        for (final ZcachePoolStats pool : pools)
        {
            original += pool.pages() * pool.pageSize();
        }
        final long used = poolBytes + metadataBytes + dictionaryBytes;
        return used == 0 ? 0.0 : (double)original / used;
    }
}
