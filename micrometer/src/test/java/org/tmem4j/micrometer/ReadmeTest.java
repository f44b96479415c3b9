package org.tmem4j.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.host.HostConfig;
import org.tmem4j.host.HostDaemon;
import org.tmem4j.memory.PageMemoryStats;
import org.tmem4j.readme.ReadmeText;
import org.tmem4j.stats.CounterDescription;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcachePoolStats;
import org.tmem4j.zcache.ZcacheStats;

/**
 * The README's metrics section cannot drift: its counters table is exactly the one the descriptions make, and its
 * Micrometer example is {@link ReadmeMetricsExample}'s text, which runs here.
 */
class ReadmeTest
{
    private static final String TABLE_BEGINS = "<!-- counters table begins: made from the descriptions, checked by "
        + "micrometer/src/test/java/org/tmem4j/micrometer/ReadmeTest.java -->";
    private static final String TABLE_ENDS = "<!-- counters table ends -->";
    private static final Path EXAMPLE = Path.of("src", "test", "java", "org", "tmem4j", "micrometer",
        "ReadmeMetricsExample.java");

    @Test
    void theCountersTableIsTheOneTheDescriptionsMake()
    {
        final String expected = table();
        assertEquals(expected, ReadmeText.section(TABLE_BEGINS, TABLE_ENDS),
            "README.md's counters table differs from the descriptions; paste this:\n" + expected);
    }

    @Test
    void theMicrometerExampleIsInTheReadmeAndRuns(@TempDir final Path dir) throws Exception
    {
        ReadmeText.assertShowsJavaBlock(EXAMPLE, "// README metrics example begins",
            "// README metrics example ends");
        final String out = ReadmeText.printedBy(ReadmeMetricsExample::main, dir.toString());
        assertEquals(List.of("tmem4j_engine_puts_operations_total{allocator=\"zsmalloc\",app=\"shop\",codec=\"lz4\","
            + "codec_level=\"1\",engine=\"zcache\",name=\"zcache\"} 100.0"), out.lines().toList(),
            "the engine counted every page cleancache put: " + out);
    }

    /** The markdown table of every counter: source, name, type, unit, meaning. */
    private static String table()
    {
        final List<String> rows = new ArrayList<>();
        rows.add("| source | counter | type | unit | meaning |");
        rows.add("|---|---|---|---|---|");
        rows(rows, "`engine`", ZcacheStats.COUNTERS.descriptions());
        rows(rows, "`allocator`", AllocatorStats.COUNTERS.descriptions());
        rows(rows, "`allocator` (zbud)", details("zbud"));
        rows(rows, "`allocator` (zsmalloc)", details("zsmalloc"));
        rows(rows, "`memory`", PageMemoryStats.COUNTERS.descriptions());
        rows(rows, "`pool`", ZcachePoolStats.COUNTERS.descriptions());
        final FrontendsConfig config = FrontendsConfig.defaults();
        final BackendRegistry registry = new BackendRegistry();
        try (Cleancache cleancache = Cleancache.create(registry, config);
            Frontswap frontswap = Frontswap.create(registry, config))
        {
            rows(rows, "`frontend/cleancache`", cleancache.counters().descriptions());
            rows(rows, "`frontend/frontswap`", frontswap.counters().descriptions());
        }
        rows(rows, "`host` (client and daemon handoffs)", hostHandoffs());
        return String.join("\n", rows);
    }

    private static List<CounterDescription> hostHandoffs()
    {
        try
        {
            final Path dir = Files.createTempDirectory("tmem4j-readme-host");
            try (HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder()
                .hostSocket(dir.resolve("d").resolve(HostDaemon.SOCKET_NAME)).budgetBytes(1L << 20).build(),
                HostConfig.defaults()))
            {
                return daemon.handoffCounters().descriptions();
            }
            finally
            {
                Files.deleteIfExists(dir.resolve("d"));
                Files.deleteIfExists(dir);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static List<CounterDescription> details(final String allocator)
    {
        try (Zcache zcache = Zcache.builder().allocator(allocator).budgetBytes(1L << 20).build())
        {
            return List.copyOf(zcache.stats().allocator().details().keySet());
        }
    }

    private static void rows(final List<String> rows, final String source, final List<CounterDescription> counters)
    {
        for (final CounterDescription counter : counters)
        {
            rows.add("| " + source + " | `" + counter.name() + "` | " + counter.kind().label() + " | "
                + counter.unit().symbol() + " | " + counter.description() + " |");
        }
    }
}
