package org.tmem4j.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;
import org.tmem4j.stats.CounterDescription;
import org.tmem4j.stats.CounterKind;
import org.tmem4j.stats.CounterRegistry;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.stats.CounterUnit;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

/**
 * The binder against real engines and frontends: every described counter becomes a meter of the right type, unit,
 * description and tags, whose values are the engine's, in a {@link SimpleMeterRegistry} and in the Prometheus
 * registry's scrape text.
 */
class Tmem4jMetricsTest
{
    private static final int PAGES = 300;

    @Test
    void everyCounterIsAMeterOfItsKindUnitAndMeaningWithTheEnginesValues()
    {
        final MeterRegistry meters = new SimpleMeterRegistry();
        try (Zcache zcache = Zcache.builder().name("orders").allocator("zsmalloc").codec("lz4")
            .budgetBytes(16L << 20).build();
            Arena arena = Arena.ofConfined();
            Tmem4jMetrics metrics = Tmem4jMetrics.monitor(meters, zcache.counters(), "app", "shop"))
        {
            traffic(zcache, arena);
            final ZcacheStats stats = zcache.stats();
            int checked = 0;
            for (final CounterSource source : zcache.counters())
            {
                for (final CounterDescription counter : source.descriptions())
                {
                    final Meter meter = meters.find(Tmem4jMetrics.meterName(source.kind(), counter.name()))
                        .tags("engine", "orders", "allocator", "zsmalloc", "codec", "lz4", "app", "shop").meter();
                    assertNotNull(meter, source.kind() + "/" + counter.name() + " has no meter");
                    final Class<?> type = counter.kind() == CounterKind.COUNTER ? FunctionCounter.class : Gauge.class;
                    assertTrue(type.isInstance(meter), counter.name() + " is a " + meter.getClass());
                    assertEquals(counter.description(), meter.getId().getDescription());
                    assertEquals(counter.unit().symbol(), meter.getId().getBaseUnit());
                    checked++;
                }
            }
            assertEquals(ZcacheStats.COUNTERS.descriptions().size() + 3 + 13 + 8 + 2 * 6, checked,
                "engine, allocator (3 common + 13 zsmalloc details), memory and two pool-kind sources' counters");

            final FunctionCounter puts = meters.get("tmem4j.engine.puts").functionCounter();
            assertEquals(PAGES, stats.puts());
            assertEquals(stats.puts(), puts.count());
            assertEquals(stats.getHits(), meters.get("tmem4j.engine.get.hits").functionCounter().count());
            assertEquals(PAGES / 2, stats.getHits());
            assertEquals(stats.storedPages(), meters.get("tmem4j.engine.stored.pages").gauge().value());
            assertEquals(stats.allocator().objects(), meters.get("tmem4j.allocator.objects").gauge().value());
            assertEquals(stats.allocator().detail("zspages"), meters.get("tmem4j.allocator.zspages").gauge().value());
            assertEquals(stats.memory().reservedBytes(), meters.get("tmem4j.memory.reserved.bytes").gauge().value());
            assertEquals(PAGES, meters.get("tmem4j.pool.pages").tags("pool", "persistent", "name", "orders.persistent")
                .gauge().value());
            assertEquals(0.0, meters.get("tmem4j.pool.pages").tag("pool", "ephemeral").gauge().value());
            assertEquals(1.0, meters.get("tmem4j.pool.pools").tag("pool", "persistent").gauge().value());
            assertTrue(stats.storedPages() > 0 && stats.allocator().objects() > 0, stats.toString());

            traffic(zcache, arena);
            assertEquals(2 * PAGES, puts.count(), "a counter reads the engine at each read");

            metrics.close();
            assertNull(meters.find("tmem4j.engine.puts").meter(), "closing removes the meters");
            assertEquals(List.of(), meters.getMeters());
        }
    }

    @Test
    void prometheusScrapeShowsHelpTypeUnitAndTheEnginesValues()
    {
        final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Zcache zcache = Zcache.builder().name("cache-1").allocator("zbud").codec("zstd:3")
            .budgetBytes(16L << 20).build();
            Arena arena = Arena.ofConfined();
            Tmem4jMetrics _ = Tmem4jMetrics.monitor(prometheus, zcache.counters()))
        {
            traffic(zcache, arena);
            final ZcacheStats stats = zcache.stats();
            final String scrape = prometheus.scrape();
            final String labels =
                "allocator=\"zbud\",codec=\"zstd\",codec_level=\"3\",engine=\"cache-1\",name=\"cache-1\"";

            assertTrue(scrape.contains("# HELP tmem4j_engine_pers_ate_eph_pages_total ephemeral pages evicted to make "
                + "room for a persistent put (persistent ate ephemeral)\n"), scrape);
            assertTrue(scrape.contains("# TYPE tmem4j_engine_puts_operations_total counter\n"), scrape);
            assertTrue(scrape.contains("# TYPE tmem4j_engine_stored_pages gauge\n"), scrape);
            assertTrue(scrape.contains("# TYPE tmem4j_memory_reserved_bytes gauge\n"), scrape);

            final Map<String, Double> values = samples(scrape, labels);
            assertEquals((double)stats.puts(), values.get("tmem4j_engine_puts_operations_total"));
            assertEquals((double)stats.getMisses(), values.get("tmem4j_engine_get_misses_operations_total"));
            assertEquals((double)stats.storedPages(), values.get("tmem4j_engine_stored_pages"));
            assertEquals((double)stats.compressedBytes(), values.get("tmem4j_engine_compressed_bytes"));
            assertEquals((double)stats.allocator().detail("buddied"), values.get("tmem4j_allocator_buddied_pages"));
            assertEquals((double)stats.memory().pagesInUse(), values.get("tmem4j_memory_pages_in_use_pages"));
            assertEquals((double)stats.memory().budgetBytes(), values.get("tmem4j_memory_budget_bytes"));
            assertEquals((double)stats.storedPages(), samples(scrape, labels.replace("name=\"cache-1\"",
                "name=\"cache-1.persistent\",pool=\"persistent\"")).get("tmem4j_pool_pages"));
            assertEquals(ZcacheStats.COUNTERS.descriptions().size() + 3 + 4 + 8, values.size(),
                "one sample per counter of the engine, allocator (zbud: 4 details) and memory: " + values.keySet());
        }
    }

    @Test
    void aFollowedRegistryAddsAndRemovesMetersAsSourcesComeAndGo()
    {
        final MeterRegistry meters = new SimpleMeterRegistry();
        final CounterRegistry counters = new CounterRegistry();
        final BackendRegistry backends = new BackendRegistry();
        final FrontendsConfig config = FrontendsConfig.builder().allocator("zsmalloc").budgetBytes(8L << 20).build();
        final Cleancache cleancache = Cleancache.create(backends, config);
        final CounterSource frontend = cleancache.counters();
        counters.register(frontend);
        try (Tmem4jMetrics metrics = Tmem4jMetrics.following(counters, Tags.of("tier", "l2"));
            Arena arena = Arena.ofConfined())
        {
            metrics.bindTo(meters);
            assertNotNull(meters.find("tmem4j.frontend.succ.gets").tags("name", "cleancache", "tier", "l2")
                .functionCounter(), "a source registered before binding");

            final List<CounterSource> engine = backends.register("zcache", config).counters();
            engine.forEach(counters::register);
            final CleancacheFs fs = cleancache.initFs();
            final MemorySegment page = arena.allocate(4096);
            for (int i = 0; i < PAGES; i++)
            {
                fill(page, i);
                fs.putPage(new FileKey(1, 2, 3), i, page);
            }
            for (int i = 0; i < PAGES; i += 3)
            {
                fs.getPage(new FileKey(1, 2, 3), i, page);
            }
            assertEquals(PAGES, meters.get("tmem4j.frontend.puts").functionCounter().count());
            assertEquals(PAGES / 3, meters.get("tmem4j.frontend.succ.gets").functionCounter().count()
                + meters.get("tmem4j.frontend.failed.gets").functionCounter().count());
            assertEquals(1.0, meters.get("tmem4j.frontend.pools").gauge().value());
            assertEquals(meters.get("tmem4j.engine.puts").tag("tier", "l2").functionCounter().count(),
                meters.get("tmem4j.frontend.puts").functionCounter().count()
                    - meters.get("tmem4j.frontend.dropped.puts").functionCounter().count()
                    + meters.get("tmem4j.engine.failed.puts.no.memory").functionCounter().count()
                    + meters.get("tmem4j.engine.failed.puts.poor.compression").functionCounter().count(),
                "the engine saw every put cleancache passed on");

            engine.forEach(counters::unregister);
            backends.unregister();
            assertNull(meters.find("tmem4j.engine.puts").meter(), "an unregistered source's meters go");
            assertNotNull(meters.find("tmem4j.frontend.puts").meter());
            metrics.close();
            assertEquals(List.of(), meters.getMeters());
            counters.register(CounterSource.builder("engine", "late")
                .counter("x", CounterUnit.EVENTS, "never bound", () -> 1).build());
            assertEquals(List.of(), meters.getMeters(), "a closed binder follows no more");
        }
    }

    @Test
    void badArgumentsAreNamed()
    {
        assertThrows(IllegalArgumentException.class, () -> Tmem4jMetrics.of(null, Tags.empty()));
        assertThrows(IllegalArgumentException.class, () -> Tmem4jMetrics.of(List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> Tmem4jMetrics.following(null, Tags.empty()));
        final IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
            () -> Tmem4jMetrics.monitor(new SimpleMeterRegistry(), List.of(), "app"));
        assertTrue(odd.getMessage().contains("key-value pairs"), odd.getMessage());
        final Tmem4jMetrics metrics = Tmem4jMetrics.of(List.of(), Tags.empty());
        assertThrows(IllegalArgumentException.class, () -> metrics.bindTo(null));
        metrics.close();
        assertThrows(IllegalStateException.class, () -> metrics.bindTo(new SimpleMeterRegistry()));
    }

    /** {@link #PAGES} persistent puts of text pages, then a get of every other one. */
    private static void traffic(final Zcache zcache, final Arena arena)
    {
        final int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
        final MemorySegment page = arena.allocate(4096);
        for (int i = 0; i < PAGES; i++)
        {
            fill(page, i);
            zcache.put(pool, 1, 2, 3, i, page);
        }
        for (int i = 0; i < PAGES; i += 2)
        {
            zcache.get(pool, 1, 2, 3, i, page);
        }
    }

    private static void fill(final MemorySegment page, final int seed)
    {
        final byte[] line = ("page " + seed + " of the metrics test, compressible text; ").getBytes(
            StandardCharsets.US_ASCII);
        for (long offset = 0; offset < page.byteSize(); offset++)
        {
            page.set(ValueLayout.JAVA_BYTE, offset, line[(int)(offset % line.length)]);
        }
    }

    /** Sample lines of the scrape carrying exactly these labels, name to value. */
    private static Map<String, Double> samples(final String scrape, final String labels)
    {
        final Map<String, Double> values = new HashMap<>();
        final Matcher m = Pattern.compile("(?m)^(tmem4j_[a-z_]+)\\{" + Pattern.quote(labels) + "} (\\S+)$")
            .matcher(scrape);
        while (m.find())
        {
            values.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return values;
    }
}
