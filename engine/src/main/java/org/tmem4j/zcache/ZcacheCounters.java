package org.tmem4j.zcache;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.memory.PageMemoryStats;
import org.tmem4j.stats.CounterCatalog;
import org.tmem4j.stats.CounterDescription;
import org.tmem4j.stats.CounterSource;

/**
 * Makes a {@link Zcache}'s three counter sources (engine, allocator, memory) from the catalogs of the stats records
 * they read: {@link ZcacheStats#COUNTERS}, {@link AllocatorStats#COUNTERS} plus the allocator's details, and
 * {@link PageMemoryStats#COUNTERS}.
 */
final class ZcacheCounters
{
    private ZcacheCounters()
    {
    }

    /**
     * @param zcache an open engine.
     * @return its engine, allocator and memory sources.
     */
    static List<CounterSource> of(final Zcache zcache)
    {
        final String name = zcache.name();
        final Map<String, String> tags = Map.of("allocator", zcache.allocatorName(),
            "codec", zcache.codec().name(), "codec_level", Integer.toString(zcache.codec().level()));
        final Supplier<ZcacheStats> snapshot = () -> snapshot(zcache);
        final CounterCatalog.Builder<AllocatorStats> allocator =
            CounterCatalog.<AllocatorStats>builder().addAll(AllocatorStats.COUNTERS);
        // an allocator's details are fixed for its lifetime: the first snapshot lists them all
        for (final CounterDescription detail : zcache.stats().allocator().details().keySet())
        {
            allocator.add(detail, stats -> stats.details().getOrDefault(detail, 0L));
        }
        return List.of(
            ZcacheStats.COUNTERS.source("engine", name, tags, snapshot),
            allocator.build().source("allocator", name, tags, () ->
            {
                final ZcacheStats stats = snapshot.get();
                return stats == null ? null : stats.allocator();
            }),
            PageMemoryStats.COUNTERS.source("memory", name, tags, () ->
            {
                final ZcacheStats stats = snapshot.get();
                return stats == null ? null : stats.memory();
            }));
    }

    /** The engine's stats, or null once it is closed (its sources then read 0). */
    private static ZcacheStats snapshot(final Zcache zcache)
    {
        try
        {
            return zcache.stats();
        }
        catch (final IllegalStateException closed)
        {
            return null;
        }
    }
}
