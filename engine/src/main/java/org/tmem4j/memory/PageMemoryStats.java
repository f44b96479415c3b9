package org.tmem4j.memory;

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
    /**
     * {@return bytes of pages in use: what the allocators above actually hold}
     */
    public long bytesInUse()
    {
        return pagesInUse * PageMemory.PAGE_SIZE;
    }
}
