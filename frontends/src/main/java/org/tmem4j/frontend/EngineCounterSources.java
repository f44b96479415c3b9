package org.tmem4j.frontend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.memory.PageMemoryStats;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

/**
 * The counter sources of one engine: its own ({@link Zcache#counters()}, kind {@code engine}), its allocator's
 * accounting (kind {@code allocator}: objects, stored bytes, pages, then the allocator's own details such as zbud's
 * {@code buddied} or zsmalloc's {@code pages_compacted}) and its page memory's (kind {@code memory}). The allocator
 * and memory sources each take one {@link Zcache#stats()} snapshot per sample, so their values are consistent with
 * each other; after the engine closes they read 0.
 */
final class EngineCounterSources
{
    private static final List<String> MEMORY_COUNTERS = List.of("pages_in_use", "high_water_pages", "slabs",
        "reserved_bytes", "high_water_reserved_bytes", "budget_bytes", "slabs_released", "failed_allocations");

    private EngineCounterSources()
    {
    }

    /**
     * @param zcache an open engine.
     * @return its engine, allocator and memory sources, named after the engine.
     */
    static List<CounterSource> of(final Zcache zcache)
    {
        final CounterSource engine = zcache.counters();
        final AllocatorStats allocator = zcache.stats().allocator();
        final List<String> allocatorCounters = new ArrayList<>(List.of("objects", "stored_bytes", "pages_used"));
        for (final String detail : allocator.details().keySet())
        {
            if (!allocatorCounters.contains(detail))
            {
                allocatorCounters.add(detail);
            }
        }
        return List.of(engine,
            new Snapshots(zcache, "allocator", engine.name(), List.copyOf(allocatorCounters), true),
            new Snapshots(zcache, "memory", engine.name(), MEMORY_COUNTERS, false));
    }

    /** Counters read from one stats snapshot per sample. */
    private record Snapshots(Zcache zcache, String kind, String name, List<String> counterNames, boolean allocator)
        implements CounterSource
    {
        @Override
        public void sample(final long[] values)
        {
            final ZcacheStats stats;
            try
            {
                stats = zcache.stats();
            }
            catch (final IllegalStateException closed)
            {
                Arrays.fill(values, 0, counterNames.size(), 0);
                return;
            }
            if (allocator)
            {
                final AllocatorStats a = stats.allocator();
                values[0] = a.objects();
                values[1] = a.storedBytes();
                values[2] = a.pagesUsed();
                for (int i = 3; i < counterNames.size(); i++)
                {
                    values[i] = a.details().getOrDefault(counterNames.get(i), 0L);
                }
            }
            else
            {
                final PageMemoryStats m = stats.memory();
                values[0] = m.pagesInUse();
                values[1] = m.highWaterPages();
                values[2] = m.slabs();
                values[3] = m.reservedBytes();
                values[4] = m.highWaterReservedBytes();
                values[5] = m.budgetBytes();
                values[6] = m.slabsReleased();
                values[7] = m.failedAllocations();
            }
        }
    }
}
