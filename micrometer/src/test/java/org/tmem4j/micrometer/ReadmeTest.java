package org.tmem4j.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.memory.PageMemoryStats;
import org.tmem4j.stats.CounterDescription;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

/**
 * The README's metrics section cannot drift: its counters table is exactly the one the descriptions make, and its
 * Micrometer example is {@link ReadmeMetricsExample}'s text, which runs here.
 */
class ReadmeTest
{
    private static final Path README = Path.of("..", "README.md");
    private static final String TABLE_BEGINS = "<!-- counters table begins: made from the descriptions, checked by "
        + "micrometer/src/test/java/org/tmem4j/micrometer/ReadmeTest.java -->";
    private static final String TABLE_ENDS = "<!-- counters table ends -->";
    private static final Path EXAMPLE = Path.of("src", "test", "java", "org", "tmem4j", "micrometer",
        "ReadmeMetricsExample.java");

    @Test
    void theCountersTableIsTheOneTheDescriptionsMake() throws IOException
    {
        final String expected = table();
        final String readme = Files.readString(README);
        final int begins = readme.indexOf(TABLE_BEGINS);
        final int ends = readme.indexOf(TABLE_ENDS);
        assertTrue(begins >= 0 && ends > begins, "README.md has no counters table between " + TABLE_BEGINS
            + " and " + TABLE_ENDS + "; it should be:\n" + expected);
        assertEquals(expected, readme.substring(begins + TABLE_BEGINS.length(), ends).strip(),
            "README.md's counters table differs from the descriptions; paste this:\n" + expected);
    }

    @Test
    void theMicrometerExampleIsInTheReadmeAndRuns(@TempDir final Path dir) throws Exception
    {
        final List<String> lines = Files.readAllLines(EXAMPLE);
        final int begins = lines.indexOf("        // README metrics example begins");
        final int ends = lines.indexOf("        // README metrics example ends");
        final String example = lines.subList(begins + 1, ends).stream()
            .map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
            .collect(Collectors.joining("\n"));
        assertTrue(Files.readString(README).contains("```java\n" + example + "\n```"),
            "README.md does not show ReadmeMetricsExample's text in a java block; it should be:\n" + example);

        assertEquals(100.0, ReadmeMetricsExample.run(new SimpleMeterRegistry(), dir.resolve("app.counters")),
            "the engine counted every page cleancache put");
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
        final FrontendsConfig config = FrontendsConfig.defaults();
        final BackendRegistry registry = new BackendRegistry();
        try (Cleancache cleancache = Cleancache.create(registry, config);
            Frontswap frontswap = Frontswap.create(registry, config))
        {
            rows(rows, "`frontend/cleancache`", cleancache.counters().descriptions());
            rows(rows, "`frontend/frontswap`", frontswap.counters().descriptions());
        }
        return String.join("\n", rows);
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
