package org.tmem4j.zcache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.memory.PageMemoryStats;
import org.tmem4j.stats.CounterCatalog;
import org.tmem4j.stats.CounterDescription;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.tmem.PoolKind;

/**
 * Makes a {@link Zcache}'s counter sources from the catalogs of the stats records they read: kind {@code engine}
 * ({@link ZcacheStats#COUNTERS}), {@code allocator} ({@link AllocatorStats#COUNTERS} plus the allocator's details),
 * {@code memory} ({@link PageMemoryStats#COUNTERS}), all named after the engine, and {@code pool}
 * ({@link ZcachePoolStats#COUNTERS}), one per pool kind, named {@code <engine>.ephemeral} and
 * {@code <engine>.persistent}. Every source is tagged with the engine's name, allocator and codec; the pool sources
 * also with their pool kind.
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
        final Map<String, String> tags = Map.of("engine", name, "allocator", zcache.allocatorName(),
            "codec", zcache.codec().name(), "codec_level", Integer.toString(zcache.codec().level()));
        final Supplier<ZcacheStats> snapshot = () -> snapshot(zcache);
        final CounterCatalog.Builder<AllocatorStats> allocator =
            CounterCatalog.<AllocatorStats>builder().addAll(AllocatorStats.COUNTERS);
        // an allocator's details are fixed for its lifetime: the first snapshot lists them all
        for (final CounterDescription detail : zcache.stats().allocator().details().keySet())
        {
            allocator.add(detail, stats -> stats.details().getOrDefault(detail, 0L));
        }
        final List<CounterSource> sources = new ArrayList<>(List.of(
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
            })));
        for (final PoolKind kind : PoolKind.values())
        {
            final String pool = kind.name().toLowerCase(Locale.ROOT);
            final Map<String, String> poolTags = new HashMap<>(tags);
            poolTags.put("pool", pool);
            sources.add(ZcachePoolStats.COUNTERS.source("pool", name + "." + pool, poolTags, () ->
            {
                final ZcacheStats stats = snapshot.get();
                return stats == null ? null : stats.pools().stream().filter(row -> row.kind() == kind).toList();
            }));
        }
        return List.copyOf(sources);
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
