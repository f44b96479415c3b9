package org.tmem4j.memory;

import org.tmem4j.stats.CounterCatalog;
import org.tmem4j.stats.CounterUnit;

/**
 * A consistent snapshot of a {@link PageMemory}'s accounting, all taken under one lock acquisition.
 *
 * @param pagesInUse          pages handed out and not yet freed.
 * @param highWaterPages      the most pages ever in use at once.
 * @param slabs               slabs currently mapped.
 * @param reservedBytes       bytes currently mapped from the operating system (never above the budget).
 * @param highWaterReservedBytes the most bytes ever mapped at once.
 * @param budgetBytes         the current hard limit on {@code reservedBytes}.
 * @param slabsReleased       slabs returned to the operating system since creation.
 * @param failedAllocations   page requests answered with {@link PageMemory#NO_PAGE} because of the budget.
 */
public record PageMemoryStats(
    long pagesInUse,
    long highWaterPages,
    int slabs,
    long reservedBytes,
    long highWaterReservedBytes,
    long budgetBytes,
    long slabsReleased,
    long failedAllocations)
{
    /** The counters of a page memory, as its source of kind {@code memory} shows them. */
    public static final CounterCatalog<PageMemoryStats> COUNTERS = CounterCatalog.<PageMemoryStats>builder()
        .gauge("pages_in_use", CounterUnit.PAGES, "pages handed out to the allocator and not yet freed",
            PageMemoryStats::pagesInUse)
        .gauge("high_water_pages", CounterUnit.PAGES, "most pages ever in use at once", PageMemoryStats::highWaterPages)
        .gauge("slabs", CounterUnit.SLABS, "slabs mapped now", PageMemoryStats::slabs)
        .gauge("reserved_bytes", CounterUnit.BYTES, "bytes mapped from the operating system now, never above the budget",
            PageMemoryStats::reservedBytes)
        .gauge("high_water_reserved_bytes", CounterUnit.BYTES, "most bytes ever mapped at once",
            PageMemoryStats::highWaterReservedBytes)
        .gauge("budget_bytes", CounterUnit.BYTES, "the hard limit on reserved_bytes", PageMemoryStats::budgetBytes)
        .counter("slabs_released", CounterUnit.SLABS, "slabs given back to the operating system",
            PageMemoryStats::slabsReleased)
        .counter("failed_allocations", CounterUnit.OPERATIONS, "page requests refused because of the budget",
            PageMemoryStats::failedAllocations)
        .build();

    /**
     * {@return bytes of pages in use: what the allocators above actually hold}
     */
    public long bytesInUse()
    {
        return pagesInUse * PageMemory.PAGE_SIZE;
    }
}
