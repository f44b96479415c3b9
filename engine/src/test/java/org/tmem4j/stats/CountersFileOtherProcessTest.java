package org.tmem4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The point of the counters file: another JVM reads what this one publishes, while it runs.
 */
class CountersFileOtherProcessTest
{
    @TempDir
    Path dir;

    @Test
    void anotherJvmReadsTheCountersOfThisOne() throws Exception
    {
        final CounterRegistry registry = new CounterRegistry();
        final AtomicLong stores = new AtomicLong(123_456_789_012L);
        registry.register(CounterSource.builder("engine", "tmem")
            .counter("stores", CounterUnit.OPERATIONS, "store calls", stores::get)
            .gauge("negative", CounterUnit.BYTES, "a level below zero", () -> -42).build());
        registry.register(CounterSource.builder("allocator", "zbud")
            .gauge("pages", CounterUnit.PAGES, "pages held", () -> 7).build());
        final Path file = dir.resolve("shared.counters");
        try (CountersFilePublisher _ = CountersFilePublisher.builder(registry)
            .path(file).interval(Duration.ofMillis(20)).start())
        {
            assertEquals(List.of(
                "pid=" + ProcessHandle.current().pid(),
                "stale=no",
                "engine/tmem/stores=123456789012 counter operations store calls",
                "engine/tmem/negative=-42 gauge bytes a level below zero",
                "allocator/zbud/pages=7 gauge pages pages held"), dump(file), "values, kinds, units and meanings");

            stores.set(5);
            // the periodic publisher, not this thread, carries the change to the other process
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            List<String> lines = dump(file);
            final String changed = "engine/tmem/stores=5 counter operations store calls";
            while (!lines.contains(changed) && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
                lines = dump(file);
            }
            assertEquals(changed, lines.get(2), lines.toString());
        }
    }

    private static List<String> dump(final Path file) throws IOException, InterruptedException
    {
        final String java = ProcessHandle.current().info().command().orElseThrow();
        final Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            CountersFileDump.class.getName(), file.toString())
            .redirectErrorStream(true)
            .start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("reader process did not finish: " + output);
        }
        assertEquals(0, process.exitValue(), output);
        return output.lines().toList();
    }
}
