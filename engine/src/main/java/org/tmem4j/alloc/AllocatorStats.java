package org.tmem4j.alloc;

import java.util.Map;

/**
 * A snapshot of an allocator's accounting.
 *
 * @param allocator    the allocator's name.
 * @param objects      live objects.
 * @param storedBytes  sum of the live objects' sizes.
 * @param pagesUsed    pages the allocator holds from the page memory.
 * @param details      allocator-specific counters, in a stable order (e.g. {@code buddied}, {@code pages_compacted}).
 */
public record AllocatorStats(String allocator, long objects, long storedBytes, long pagesUsed, Map<String, Long> details)
{
    /**
     * Creates the statistics; the canonical constructor, which copies {@code details}.
     *
     * @param allocator   the allocator's name.
     * @param objects     live objects.
     * @param storedBytes sum of the live objects' sizes.
     * @param pagesUsed   pages held.
     * @param details     allocator-specific counters; copied.
     */
    public AllocatorStats
    {
        details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }

    /**
     * {@return bytes of pool pages held}
     */
    public long poolBytes()
    {
        return pagesUsed * org.tmem4j.memory.PageMemory.PAGE_SIZE;
    }

    /**
     * {@return stored bytes / pool bytes: the packing density (0 when empty)}
     */
    public double density()
    {
        return pagesUsed == 0 ? 0.0 : (double)storedBytes / poolBytes();
    }
}
