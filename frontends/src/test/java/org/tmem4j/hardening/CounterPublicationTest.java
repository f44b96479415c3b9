package org.tmem4j.hardening;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.CounterPublication;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;
import org.tmem4j.frontend.zcache.ZcacheBackend;
import org.tmem4j.stats.CounterDescription;
import org.tmem4j.stats.CounterKind;
import org.tmem4j.stats.CounterUnit;
import org.tmem4j.stats.CounterValue;
import org.tmem4j.stats.CountersFileReader;
import org.tmem4j.stats.JmxCounterPublisher;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.ZcachePoolStats;
import org.tmem4j.zcache.ZcacheStats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole stack's counters, wired by {@link CounterPublication}: after traffic through frontswap and cleancache
 * into the zcache backend, the counters file (read as another process would) and the JMX MBeans show exactly the
 * values of the frontends, the engine, its allocator and its page memory; unregistering the engine's sources takes
 * them out of both.
 */
final class CounterPublicationTest
{
    @TempDir
    Path dir;

    @Test
    void frontendsEngineAllocatorAndMemoryCountersReachTheFileAndJmx() throws Exception
    {
        final FrontendsConfig config = FrontendsConfig.builder().allocator("zsmalloc").budgetBytes(8L << 20).build();
        final BackendRegistry registry = new BackendRegistry();
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try (CounterPublication counters = CounterPublication.start(dir.resolve("tmem4j.counters"));
             Frontswap frontswap = Frontswap.create(registry, config);
             Arena arena = Arena.ofConfined())
        {
            final Cleancache cleancache = Cleancache.create(registry, config);
            counters.add(cleancache.counters());
            counters.add(frontswap.counters());
            final Backend backend = registry.register("zcache", config);
            counters.addEngine(backend);
            final Zcache zcache = ((ZcacheBackend)backend).zcache();

            final SwapArea area = frontswap.swapOn(dir.resolve("swap"), 64);
            final CleancacheFs fs = cleancache.initFs();
            final MemorySegment page = arena.allocate(4096, 4096);
            for (int i = 0; i < 64; i++)
            {
                VersionedPage.text(page, 4096, i);
                area.store(area.allocateSlot(), page);
                fs.putPage(new FileKey(1, 2, 3), i, page);
                area.load(i, page);
                fs.getPage(new FileKey(1, 2, 3), i + 32, page);
            }
            counters.publish();

            final Map<String, Long> file = new HashMap<>();
            final Map<String, CounterDescription> described = new HashMap<>();
            try (CountersFileReader reader = CountersFileReader.open(counters.countersFile()))
            {
                for (final CounterValue value : reader.snapshot().counters())
                {
                    file.put(value.label(), value.value());
                    described.put(value.label(), value.description());
                }
            }
            final ZcacheStats stats = zcache.stats();
            final String engine = zcache.name();
            assertEquals(CounterDescription.counter("pers_ate_eph", CounterUnit.PAGES, "ephemeral pages evicted to make "
                + "room for a persistent put (persistent ate ephemeral)"), described.get("engine/" + engine
                + "/pers_ate_eph"), "the file carries kind, unit and meaning to the reader");
            assertEquals(CounterKind.GAUGE, described.get("allocator/" + engine + "/zspages").kind());
            assertEquals(CounterUnit.BYTES, described.get("memory/" + engine + "/reserved_bytes").unit());
            assertEquals(stats.puts(), file.get("engine/" + engine + "/puts"));
            assertEquals(stats.getHits(), file.get("engine/" + engine + "/get_hits"));
            assertEquals(stats.allocator().objects(), file.get("allocator/" + engine + "/objects"));
            assertEquals(stats.allocator().pagesUsed(), file.get("allocator/" + engine + "/pages_used"));
            assertEquals(stats.memory().reservedBytes(), file.get("memory/" + engine + "/reserved_bytes"));
            assertEquals(stats.pools().stream().filter(p -> p.kind() == PoolKind.PERSISTENT)
                .mapToLong(ZcachePoolStats::pages).sum(), file.get("pool/" + engine + ".persistent/pages"));
            assertEquals(64L, file.get("pool/" + engine + ".persistent/pages"), "frontswap's 64 pages");
            assertEquals(64L, file.get("frontend/frontswap/succ_stores"));
            assertEquals(64L, file.get("frontend/frontswap/loads"));
            assertEquals(64L, file.get("frontend/cleancache/puts"));
            assertTrue(stats.puts() >= 128, "both frontends' pages reached the engine: " + stats);

            assertEquals(stats.puts(), server.getAttribute(JmxCounterPublisher.objectName("engine", engine, null),
                "puts"));
            assertEquals(stats.memory().budgetBytes(), server.getAttribute(
                JmxCounterPublisher.objectName("memory", engine, null), "budget_bytes"));
            assertEquals(64L, server.getAttribute(JmxCounterPublisher.objectName("frontend", "frontswap", null),
                "succ_stores"));
            final MBeanAttributeInfo puts = attribute(server.getMBeanInfo(
                JmxCounterPublisher.objectName("engine", engine, null)), "puts");
            assertEquals("put calls, whether the page was stored or not", puts.getDescription());
            assertEquals("counter", puts.getDescriptor().getFieldValue("metricType"));
            assertEquals("operations", puts.getDescriptor().getFieldValue("units"));
            final MBeanAttributeInfo curr = attribute(server.getMBeanInfo(
                JmxCounterPublisher.objectName("frontend", "frontswap", null)), "curr_pages");
            assertEquals("gauge", curr.getDescriptor().getFieldValue("metricType"));
            assertEquals("pages", curr.getDescriptor().getFieldValue("units"));
            System.out.println("COUNTERS " + file.size() + " counters in " + counters.countersFile() + ", e.g. "
                + "engine puts " + file.get("engine/" + engine + "/puts") + ", allocator objects "
                + file.get("allocator/" + engine + "/objects"));

            assertTrue(counters.removeEngine(backend));
            registry.unregister();
            counters.publish();
            try (CountersFileReader reader = CountersFileReader.open(counters.countersFile()))
            {
                assertTrue(reader.snapshot().counters().stream().noneMatch(v -> v.name().equals(engine)),
                    "the engine's counters are still in the file after it was removed");
            }
            assertFalse(server.isRegistered(JmxCounterPublisher.objectName("engine", engine, null)),
                "the engine's MBean is still registered after it was removed");
        }
    }

    private static MBeanAttributeInfo attribute(final MBeanInfo info, final String name)
    {
        for (final MBeanAttributeInfo attribute : info.getAttributes())
        {
            if (attribute.getName().equals(name))
            {
                return attribute;
            }
        }
        throw new AssertionError("no attribute " + name + " in " + info.getClassName());
    }
}
