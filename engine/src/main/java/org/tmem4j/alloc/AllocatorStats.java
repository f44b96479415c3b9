package org.tmem4j.alloc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.tmem4j.memory.PageMemory;
import org.tmem4j.stats.CounterCatalog;
import org.tmem4j.stats.CounterDescription;
import org.tmem4j.stats.CounterUnit;

/**
 * A snapshot of an allocator's accounting.
 *
 * @param allocator    the allocator's name.
 * @param objects      live objects.
 * @param storedBytes  sum of the live objects' sizes.
 * @param pagesUsed    pages the allocator holds from the page memory.
 * @param details      allocator-specific counters with their descriptions, in a stable order (e.g. zbud's
 *                     {@code buddied}, zsmalloc's {@code pages_compacted}); an allocator makes them with its own
 *                     {@link CounterCatalog#values}.
 */
public record AllocatorStats(String allocator, long objects, long storedBytes, long pagesUsed,
    Map<CounterDescription, Long> details)
{
    /** The counters every allocator has; an allocator's source adds its {@link #details()}. */
    public static final CounterCatalog<AllocatorStats> COUNTERS = CounterCatalog.<AllocatorStats>builder()
        .gauge("objects", CounterUnit.OBJECTS, "live allocator objects", AllocatorStats::objects)
        .gauge("stored_bytes", CounterUnit.BYTES, "bytes stored in live objects (the sum of their sizes)",
            AllocatorStats::storedBytes)
        .gauge("pages_used", CounterUnit.PAGES, "pages the allocator holds from page memory",
            AllocatorStats::pagesUsed)
        .build();

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
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /**
     * {@return the value of the detail named {@code name}}
     *
     * @param name a detail's name, e.g. {@code buddied}.
     * @throws IllegalArgumentException if this allocator has no such detail.
     */
    public long detail(final String name)
    {
        for (final Map.Entry<CounterDescription, Long> detail : details.entrySet())
        {
            if (detail.getKey().name().equals(name))
            {
                return detail.getValue();
            }
        }
        throw new IllegalArgumentException("allocator " + allocator + " has no detail '" + name + "'; its details are "
            + details.keySet().stream().map(CounterDescription::name).toList());
    }

    /**
     * {@return bytes of pool pages held}
     */
    public long poolBytes()
    {
        return pagesUsed * PageMemory.PAGE_SIZE;
    }

    /**
     * {@return stored bytes / pool bytes: the packing density (0 when empty)}
     */
    public double density()
    {
        return pagesUsed == 0 ? 0.0 : (double)storedBytes / poolBytes();
    }
}
