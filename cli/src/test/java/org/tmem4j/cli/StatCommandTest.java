package org.tmem4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.stats.CounterRegistry;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.stats.CounterUnit;
import org.tmem4j.stats.CountersFile;
import org.tmem4j.stats.CountersFilePublisher;

import picocli.CommandLine;

class StatCommandTest
{
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    /** What one run printed and returned. */
    record Run(int exit, String out, String err)
    {
    }

    static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = new CommandLine(new StatCommand())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static CounterRegistry registry(final long stores)
    {
        final CounterRegistry registry = new CounterRegistry();
        registry.register(CounterSource.builder("engine", "tmem")
            .counter("stores", CounterUnit.OPERATIONS, "store calls", () -> stores)
            .counter("loads", CounterUnit.OPERATIONS, "load calls", () -> -3).build());
        registry.register(CounterSource.builder("allocator", "zsmalloc")
            .gauge("pages_used", CounterUnit.PAGES, "pages held", () -> 77).build());
        return registry;
    }

    static CountersFilePublisher publish(final CounterRegistry registry, final Path file, final Duration interval)
        throws IOException
    {
        return CountersFilePublisher.builder(registry).path(file).interval(interval).start();
    }

    @Test
    void printsEveryCounterOfALiveEngineLikeCatDebugfs() throws IOException
    {
        final Path file = dir.resolve("engine.counters");
        try (CountersFilePublisher _ = publish(registry(123_456), file, Duration.ofMillis(100)))
        {
            final Run run = run("--file", file.toString());
            assertEquals(0, run.exit(), run.err());
            assertEquals("", run.err());
            final List<String> lines = run.out().lines().toList();
            assertEquals(4, lines.size(), run.out());
            assertTrue(lines.get(0).startsWith("# tmem4j counters of pid " + PID + ", up "), lines.get(0));
            assertTrue(lines.get(0).endsWith(file.toString()), lines.get(0));
            assertTrue(lines.get(1).matches("engine/tmem/stores +123456 operations"), lines.get(1));
            assertTrue(lines.get(2).matches("engine/tmem/loads +-3 operations"), lines.get(2));
            assertTrue(lines.get(3).matches("allocator/zsmalloc/pages_used +77 pages"), lines.get(3));
            assertEquals(lines.get(1).indexOf(" operations"), lines.get(3).indexOf(" pages"),
                "values are right-aligned in one column, units follow");

            final List<String> described = run("--file", file.toString(), "--describe").out().lines().toList();
            assertTrue(described.get(1).matches("engine/tmem/stores +123456 operations +counter store calls"),
                described.get(1));
            assertTrue(described.get(3).matches("allocator/zsmalloc/pages_used +77 pages +gauge +pages held"),
                described.get(3));
        }
    }

    @Test
    void findsTheEngineByPidOrAloneInTheDirectory() throws IOException
    {
        final Path file = dir.resolve(CountersFile.fileName(PID));
        try (CountersFilePublisher _ = publish(registry(5), file, Duration.ofMillis(100)))
        {
            final Run byPid = run("--pid", Long.toString(PID), "--dir", dir.toString());
            assertEquals(0, byPid.exit(), byPid.err());
            assertTrue(byPid.out().contains("engine/tmem/stores"), byPid.out());

            Files.writeString(dir.resolve("tmem4j-999999999.counters"), "not a counters file");
            final Run alone = run("--dir", dir.toString());
            assertEquals(0, alone.exit(), alone.err());
            assertTrue(alone.out().contains("# tmem4j counters of pid " + PID), alone.out());
        }
    }

    @Test
    void failsClearlyWhenThereIsNoCountersFile()
    {
        final Path missing = dir.resolve("missing.counters");
        final Run byFile = run("--file", missing.toString());
        assertEquals(1, byFile.exit());
        assertEquals("", byFile.out());
        assertTrue(byFile.err().contains("no counters file " + missing + " (is the engine running"), byFile.err());

        final Run byPid = run("--pid", "424242", "--dir", dir.toString());
        assertEquals(1, byPid.exit());
        assertTrue(byPid.err().contains("tmem4j-424242.counters"), byPid.err());

        final Run search = run("--dir", dir.toString());
        assertEquals(1, search.exit());
        assertTrue(search.err().contains("no running tmem4j engine found"), search.err());
        assertTrue(search.err().contains("Use --file or --pid"), search.err());
    }

    @Test
    void failsClearlyOnAFileThatIsNotACountersFile() throws IOException
    {
        final Path text = Files.writeString(dir.resolve("x.counters"), "hello, this is not a counters file at all. "
            .repeat(10));
        final Run run = run("--file", text.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("is not a tmem4j counters file"), run.err());
    }

    @Test
    void refusesAStaleFileAndSaysWhy() throws Exception
    {
        final Path file = dir.resolve("quiet.counters");
        try (CountersFilePublisher _ = publish(registry(1), file, Duration.ofHours(1)))
        {
            Thread.sleep(20);
            final Run old = run("--file", file.toString(), "--stale-after", "5");
            assertEquals(1, old.exit());
            assertEquals("", old.out());
            assertTrue(old.err().contains("is stale: the engine (pid " + PID + ") last published"), old.err());

            final Path orphan = dir.resolve("orphan.counters");
            Files.copy(file, orphan);
            setPid(orphan, deadPid());
            final Run gone = run("--file", orphan.toString());
            assertEquals(1, gone.exit());
            assertTrue(gone.err().contains("is gone"), gone.err());
        }
    }

    @Test
    void asksWhichEngineWhenSeveralRun() throws IOException
    {
        try (CountersFilePublisher _ = publish(registry(1), dir.resolve("tmem4j-1.counters"), Duration.ofMillis(100));
            CountersFilePublisher _ = publish(registry(2), dir.resolve("tmem4j-2.counters"), Duration.ofMillis(100)))
        {
            final Run run = run("--dir", dir.toString());
            assertEquals(1, run.exit());
            assertTrue(run.err().contains("2 engines are running; choose one with --pid or --file"), run.err());
        }
    }

    @Test
    void watchReprintsWithPerSecondChanges() throws IOException
    {
        final CounterRegistry registry = new CounterRegistry();
        final long start = System.nanoTime();
        registry.register(CounterSource.builder("engine", "clock")
            .counter("micros", CounterUnit.EVENTS, "microseconds ticked", () -> (System.nanoTime() - start) / 1000)
            .counter("constant", CounterUnit.EVENTS, "never changes", () -> 9)
            .gauge("level", CounterUnit.PAGES, "a level that moves", () -> (System.nanoTime() - start) / 1000)
            .build());
        final Path file = dir.resolve("watch.counters");
        try (CountersFilePublisher _ = publish(registry, file, Duration.ofMillis(5)))
        {
            final Run run = run("--file", file.toString(), "--watch", "--interval", "50", "--count", "3");
            assertEquals(0, run.exit(), run.err());
            final List<String> blocks = List.of(run.out().split("\n\n"));
            assertEquals(3, blocks.size(), run.out());
            assertTrue(blocks.get(0).contains("engine/clock/constant"), blocks.get(0));
            assertFalse(blocks.get(0).contains("/s"), "the first print has nothing to compare with");
            for (final String block : blocks.subList(1, 3))
            {
                assertTrue(Pattern.compile("engine/clock/constant +9 events +\\+0\\.0/s").matcher(block).find(), block);
                assertTrue(Pattern.compile("(?m)^engine/clock/level +\\d+ pages$").matcher(block).find(),
                    "a gauge is shown as its value, without a rate: " + block);
                final Matcher micros = Pattern.compile("engine/clock/micros +\\d+ events +\\+(\\d+)\\.\\d/s")
                    .matcher(block);
                assertTrue(micros.find(), block);
                // a clock in microseconds advances about a million per second (publish times are in millis)
                final long rate = Long.parseLong(micros.group(1));
                assertTrue(rate > 500_000 && rate < 2_000_000, "micros rate " + rate);
            }
        }
    }

    @Test
    void watchStopsWithAnErrorWhenTheEngineCloses() throws Exception
    {
        final Path file = dir.resolve("closing.counters");
        final CountersFilePublisher publisher = publish(registry(1), file, Duration.ofMillis(5));
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final AtomicInteger exit = new AtomicInteger(-1);
        final Thread watcher = new Thread(() -> exit.set(new CommandLine(new StatCommand())
            .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
            .execute("--file", file.toString(), "--watch", "--interval", "10")));
        watcher.start();
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!out.toString().contains("engine/tmem/stores") && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        publisher.close();
        watcher.join(10_000);
        assertFalse(watcher.isAlive(), "watch did not stop after the engine closed");
        assertEquals(1, exit.get());
        assertTrue(out.toString().contains("engine/tmem/stores"), out.toString());
        assertTrue(err.toString().contains("closed its counters"), err.toString());
    }

    @Test
    @Timeout(60)
    void watchOnAFileTruncatedUnderItStopsWithOneClearLine() throws Exception
    {
        final Path live = dir.resolve("live.counters");
        final Path file = dir.resolve("cut.counters");
        try (CountersFilePublisher _ = publish(registry(1), live, Duration.ofMillis(5)))
        {
            // a copy nobody writes to: the test alone decides when it is cut
            Files.copy(live, file);
        }
        final long size = Files.size(file);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final AtomicInteger exit = new AtomicInteger(-1);
        final Thread watcher = new Thread(() -> exit.set(new CommandLine(new StatCommand())
            .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
            .execute("--file", file.toString(), "--watch", "--interval", "10", "--stale-after", "86400000")));
        watcher.start();
        while (!out.toString().contains("engine/tmem/stores"))
        {
            Thread.sleep(5);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(0);
        }
        watcher.join();
        assertEquals(StatCommand.NO_COUNTERS, exit.get(), err.toString());
        assertEquals(List.of("tmem4j stat: " + file + " was truncated from " + size + " to 0 bytes while being read"),
            err.toString().lines().toList());
    }

    @Test
    void jsonPrintsOneObjectPerSample() throws IOException
    {
        final Path file = dir.resolve("json.counters");
        try (CountersFilePublisher _ = publish(registry(42), file, Duration.ofMillis(5)))
        {
            final Run once = run("--file", file.toString(), "--json");
            assertEquals(0, once.exit(), once.err());
            assertEquals(1, once.out().lines().count(), once.out());
            final JsonNode json = new ObjectMapper().readTree(once.out());
            final List<String> fields = new ArrayList<>();
            json.fieldNames().forEachRemaining(fields::add);
            assertEquals(CountersJson.FIELDS, fields);
            assertEquals(PID, json.get("pid").asLong());
            assertEquals(file.toString(), json.get("file").asText());
            assertEquals(42, json.get("counters").get("engine/tmem/stores").asLong());
            assertEquals(-3, json.get("counters").get("engine/tmem/loads").asLong());
            assertEquals(77, json.get("counters").get("allocator/zsmalloc/pages_used").asLong());
            assertTrue(json.get("published_ms").asLong() > 0, once.out());

            final JsonNode described = new ObjectMapper().readTree(
                run("--file", file.toString(), "--json", "--describe").out());
            assertEquals(42, described.get("counters").get("engine/tmem/stores").asLong());
            final JsonNode stores = described.get(CountersJson.DESCRIPTIONS).get("engine/tmem/stores");
            assertEquals("counter", stores.get("type").asText());
            assertEquals("operations", stores.get("unit").asText());
            assertEquals("store calls", stores.get("description").asText());
            assertEquals("gauge", described.get(CountersJson.DESCRIPTIONS).get("allocator/zsmalloc/pages_used")
                .get("type").asText());

            final Run watch = run("--file", file.toString(), "--json", "--watch", "--interval", "10", "--count", "3");
            assertEquals(0, watch.exit(), watch.err());
            final List<String> lines = watch.out().lines().toList();
            assertEquals(3, lines.size(), watch.out());
            for (final String line : lines)
            {
                assertEquals(42, new ObjectMapper().readTree(line).get("counters").get("engine/tmem/stores").asLong());
            }
        }
    }

    @Test
    void aDirectoryGivenAsTheFileIsNamedAsOne()
    {
        final Run run = run("--file", dir.toString());
        assertEquals(StatCommand.NO_COUNTERS, run.exit());
        assertEquals("", run.out());
        assertEquals(List.of("tmem4j stat: cannot read " + dir + ": " + dir
            + " is a directory, not a tmem4j counters file"), run.err().lines().toList());
    }

    @Test
    void aPidBelowOneIsABadOption()
    {
        for (final String pid : List.of("-1", "0"))
        {
            final Run run = run("--pid", pid);
            assertEquals(CommandLines.USAGE, run.exit());
            assertEquals(List.of("tmem4j stat: --pid must be a process id, at least 1; got " + pid),
                run.err().lines().toList());
        }
    }

    @Test
    void noEngineExitsWithTheCodeTheHelpGives() throws IOException
    {
        final String help = run("--help").out().replaceAll("\\s+", " ");
        final Matcher code = Pattern.compile("Exit codes: .*? (\\d+) no live engine's counters found").matcher(help);
        assertTrue(code.find(), help);
        final Run run = run("--dir", Files.createDirectory(dir.resolve("empty")).toString());
        assertEquals(Integer.parseInt(code.group(1)), run.exit(), run.err());
        final Matcher usage = Pattern.compile("(\\d+) bad options").matcher(help);
        assertTrue(usage.find(), help);
        assertEquals(Integer.parseInt(usage.group(1)), run("--pid", "-1").exit());
    }

    @Test
    void rejectsBadOptionsWithUsageExitCode()
    {
        assertEquals(2, run("--file", "a", "--pid", "1").exit(), "--file and --pid exclude each other");
        assertEquals(2, run("--interval", "0", "--watch").exit());
        assertEquals(2, run("--count", "-1", "--watch").exit());
        assertEquals(2, run("--pid", "abc").exit());
        final Run help = run("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("Usage: stat"), help.out());
    }

    private static long deadPid() throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-version")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        process.waitFor();
        return process.pid();
    }

    private static void setPid(final Path file, final long pid) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Arena arena = Arena.ofConfined())
        {
            channel.map(FileChannel.MapMode.READ_WRITE, 0, CountersFile.HEADER_LENGTH, arena)
                .set(ValueLayout.JAVA_LONG, CountersFile.PID_OFFSET, pid);
        }
    }
}
