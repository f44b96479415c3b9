package org.tmem4j.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tmem4j.stats.CounterRegistryTest.source;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountersFileTest
{
    /** Long enough that only the test's own {@code publish()} calls write, short of the periodic thread's. */
    static final Duration MANUAL = Duration.ofHours(1);

    @TempDir
    Path dir;

    static List<String> labels(final CountersSnapshot snapshot)
    {
        return snapshot.counters().stream().map(CounterValue::label).toList();
    }

    static long[] values(final CountersSnapshot snapshot)
    {
        return snapshot.counters().stream().mapToLong(CounterValue::value).toArray();
    }

    @Test
    void roundTripsLabelsValuesAndHeader() throws IOException
    {
        final CounterRegistry registry = new CounterRegistry();
        final AtomicLong pages = new AtomicLong(10);
        final AtomicLong objects = new AtomicLong(-5);
        registry.register(CounterSource.builder("allocator", "zsmalloc")
            .gauge("pages_used", CounterUnit.PAGES, "pages the allocator holds", pages::get)
            .gauge("objects", CounterUnit.OBJECTS, "live objects", objects::get).build());
        registry.register(CounterSource.builder("frontend", "cleancache")
            .counter("gets", CounterUnit.OPERATIONS, "get calls", () -> Long.MAX_VALUE)
            .counter("puts", CounterUnit.OPERATIONS, "x".repeat(CounterDescription.MAX_DESCRIPTION_LENGTH),
                () -> Long.MIN_VALUE).build());
        final Path file = dir.resolve("engine.counters");
        final long before = System.currentTimeMillis();
        try (CountersFilePublisher publisher = CountersFilePublisher.builder(registry)
                .path(file).interval(MANUAL).capacity(16).start();
            CountersFileReader reader = CountersFileReader.open(file))
        {
            assertEquals(file, publisher.path());
            assertEquals(ProcessHandle.current().pid(), reader.pid());
            assertEquals(16, reader.capacity());
            assertEquals(MANUAL.toMillis(), reader.publishIntervalMs());
            assertTrue(reader.startTime().toEpochMilli() <= before, reader.startTime().toString());
            assertTrue(reader.heartbeatMs() >= before);
            assertFalse(reader.isClosed());
            assertEquals(Optional.empty(), reader.staleReason(System.currentTimeMillis(), 60_000));
            assertEquals(CountersFile.fileLength(16), Files.size(file));

            final CountersSnapshot first = reader.snapshot();
            assertEquals(List.of("allocator/zsmalloc/pages_used", "allocator/zsmalloc/objects",
                "frontend/cleancache/gets", "frontend/cleancache/puts"), labels(first));
            assertArrayEquals(new long[] {10, -5, Long.MAX_VALUE, Long.MIN_VALUE}, values(first));
            assertEquals(new CounterValue("allocator", "zsmalloc",
                CounterDescription.gauge("pages_used", CounterUnit.PAGES, "pages the allocator holds"), 10),
                first.counters().get(0));
            assertEquals(CounterDescription.counter("gets", CounterUnit.OPERATIONS, "get calls"),
                first.counters().get(2).description(), "kind, unit and meaning cross the file");
            assertEquals("x".repeat(CounterDescription.MAX_DESCRIPTION_LENGTH),
                first.counters().get(3).description().description(), "the longest description fits");
            assertEquals(0, first.droppedCounters());

            pages.set(1234);
            objects.set(99);
            assertArrayEquals(new long[] {10, -5, Long.MAX_VALUE, Long.MIN_VALUE}, values(reader.snapshot()),
                "values change only when published");
            publisher.publish();
            final CountersSnapshot second = reader.snapshot();
            assertArrayEquals(new long[] {1234, 99, Long.MAX_VALUE, Long.MIN_VALUE}, values(second));
            assertEquals(first.layoutEpoch(), second.layoutEpoch(), "same sources, same layout");
            assertTrue(second.heartbeatMs() >= first.heartbeatMs());
        }
        assertFalse(Files.exists(file), "closing the publisher deletes the file");
    }

    @Test
    void laysTheFileOutAgainWhenSourcesComeAndGo() throws IOException
    {
        final CounterRegistry registry = new CounterRegistry();
        final CounterSource a = source("engine", "a", "x", "y");
        registry.register(a);
        final Path file = dir.resolve("c.counters");
        try (CountersFilePublisher publisher = CountersFilePublisher.builder(registry)
                .path(file).interval(MANUAL).start();
            CountersFileReader reader = CountersFileReader.open(file))
        {
            final CountersSnapshot one = reader.snapshot();
            assertEquals(List.of("engine/a/x", "engine/a/y"), labels(one));

            final CounterSource b = source("allocator", "zbud", "p", "q", "r");
            registry.register(b);
            assertEquals(labels(one), labels(reader.snapshot()), "the file changes only when published");
            publisher.publish();
            final CountersSnapshot two = reader.snapshot();
            assertNotEquals(one.layoutEpoch(), two.layoutEpoch());
            assertEquals(List.of("engine/a/x", "engine/a/y", "allocator/zbud/p", "allocator/zbud/q",
                "allocator/zbud/r"), labels(two));
            assertArrayEquals(new long[] {0, 1, 0, 1, 2}, values(two));

            registry.unregister(a);
            publisher.publish();
            final CountersSnapshot three = reader.snapshot();
            assertEquals(List.of("allocator/zbud/p", "allocator/zbud/q", "allocator/zbud/r"), labels(three));
            assertArrayEquals(new long[] {0, 1, 2}, values(three));

            registry.unregister(b);
            publisher.publish();
            assertTrue(reader.snapshot().counters().isEmpty());
        }
    }

    @Test
    void leavesOutSourcesOverCapacityAndCountsThem() throws IOException
    {
        final CounterRegistry registry = new CounterRegistry();
        registry.register(source("engine", "a", "x", "y"));
        registry.register(source("engine", "big", "x", "y", "z"));
        registry.register(source("engine", "c", "x"));
        final Path file = dir.resolve("small.counters");
        try (CountersFilePublisher _ = CountersFilePublisher.builder(registry)
                .path(file).interval(MANUAL).capacity(3).start();
            CountersFileReader reader = CountersFileReader.open(file))
        {
            final CountersSnapshot snapshot = reader.snapshot();
            assertEquals(List.of("engine/a/x", "engine/a/y", "engine/c/x"), labels(snapshot));
            assertEquals(3, snapshot.droppedCounters());
        }
    }

    @Test
    void aSourceThatThrowsKeepsItsLastValuesAndDoesNotStopTheOthers() throws IOException
    {
        final CounterRegistry registry = new CounterRegistry();
        final AtomicBoolean broken = new AtomicBoolean();
        final AtomicLong value = new AtomicLong(1);
        registry.register(CounterSource.builder("engine", "flaky").counter("v", CounterUnit.OPERATIONS, "calls", () ->
        {
            if (broken.get())
            {
                throw new IllegalStateException("sampling failed");
            }
            return value.get();
        }).build());
        final AtomicLong other = new AtomicLong(100);
        registry.register(CounterSource.builder("engine", "fine")
            .counter("v", CounterUnit.OPERATIONS, "calls", other::get).build());
        final Path file = dir.resolve("flaky.counters");
        try (CountersFilePublisher publisher = CountersFilePublisher.builder(registry)
                .path(file).interval(MANUAL).start();
            CountersFileReader reader = CountersFileReader.open(file))
        {
            broken.set(true);
            value.set(2);
            other.set(200);
            publisher.publish();
            assertArrayEquals(new long[] {1, 200}, values(reader.snapshot()));
            broken.set(false);
            publisher.publish();
            assertArrayEquals(new long[] {2, 200}, values(reader.snapshot()));
        }
    }

    @Test
    void thePeriodicThreadAdvancesTheHeartbeatAndValues() throws Exception
    {
        final CounterRegistry registry = new CounterRegistry();
        final AtomicLong value = new AtomicLong();
        registry.register(CounterSource.builder("engine", "e")
            .counter("v", CounterUnit.OPERATIONS, "calls", value::get).build());
        final Path file = dir.resolve("periodic.counters");
        try (CountersFilePublisher publisher = CountersFilePublisher.builder(registry)
                .path(file).interval(Duration.ofMillis(5)).start();
            CountersFileReader reader = CountersFileReader.open(file))
        {
            value.set(77);
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (reader.snapshot().counters().getFirst().value() != 77 || publisher.publishes() < 3)
            {
                assertTrue(System.nanoTime() < deadline, "the publisher thread did not publish within 10 s");
                Thread.sleep(1);
            }
        }
    }

    @Test
    void judgesStalenessByHeartbeatClosedStateAndProcess() throws Exception
    {
        final CounterRegistry registry = new CounterRegistry();
        registry.register(source("engine", "e", "v"));
        final Path file = dir.resolve("stale.counters");
        final CountersFilePublisher publisher = CountersFilePublisher.builder(registry)
            .path(file).interval(Duration.ofMillis(100)).start();
        try (CountersFileReader reader = CountersFileReader.open(file))
        {
            assertEquals(2_000, reader.defaultStaleAfterMs());
            final long now = System.currentTimeMillis();
            assertEquals(Optional.empty(), reader.staleReason(now, reader.defaultStaleAfterMs()));
            final String old = reader.staleReason(now + 60_000, reader.defaultStaleAfterMs()).orElseThrow();
            assertTrue(old.contains("last published") && old.contains("stale after 2000 ms"), old);

            publisher.close();
            assertFalse(Files.exists(file));
            assertTrue(reader.isClosed(), "a reader still mapping the deleted file sees it closed");
            final String closed = reader.staleReason(System.currentTimeMillis(), 60_000).orElseThrow();
            assertTrue(closed.contains("closed its counters"), closed);
        }

        final Process gone = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-version")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gone.waitFor();
        final Path orphan = dir.resolve("orphan.counters");
        try (CountersFileWriter writer = CountersFileWriter.create(orphan, 4, 100, gone.pid(), 0L,
                System.currentTimeMillis());
            CountersFileReader reader = CountersFileReader.open(orphan))
        {
            final String why = reader.staleReason(System.currentTimeMillis(), 60_000).orElseThrow();
            assertTrue(why.contains("process " + gone.pid() + " is gone"), why);
            assertEquals(orphan, writer.path());
        }

        final Path reused = dir.resolve("reused.counters");
        try (CountersFileWriter _ = CountersFileWriter.create(reused, 4, 100, ProcessHandle.current().pid(),
                0L, System.currentTimeMillis());
            CountersFileReader reader = CountersFileReader.open(reused))
        {
            final String why = reader.staleReason(System.currentTimeMillis(), 60_000).orElseThrow();
            assertTrue(why.contains("belongs to another process"), why);
        }
    }

    @Test
    void refusesFilesThatAreNotCompleteCountersFilesOfThisVersion() throws IOException
    {
        assertThrows(NoSuchFileException.class, () -> CountersFileReader.open(dir.resolve("missing.counters")));

        final Path shortFile = Files.write(dir.resolve("short.counters"), new byte[100]);
        final CountersFileException tooShort = assertThrows(CountersFileException.class,
            () -> CountersFileReader.open(shortFile));
        assertTrue(tooShort.getMessage().contains("shorter than the 128-byte header"), tooShort.getMessage());

        final Path zero = Files.write(dir.resolve("zero.counters"), new byte[4096]);
        final CountersFileException notReady = assertThrows(CountersFileException.class,
            () -> CountersFileReader.open(zero));
        assertTrue(notReady.getMessage().contains("not ready"), notReady.getMessage());

        final Path text = Files.writeString(dir.resolve("text.counters"), "x".repeat(4096));
        final CountersFileException notOurs = assertThrows(CountersFileException.class,
            () -> CountersFileReader.open(text));
        assertTrue(notOurs.getMessage().contains("not a tmem4j counters file (magic"), notOurs.getMessage());

        final Path versioned = header(dir.resolve("v1.counters"), CountersFile.MAGIC, 1, 4, 4096);
        final CountersFileException version = assertThrows(CountersFileException.class,
            () -> CountersFileReader.open(versioned));
        assertTrue(version.getMessage().contains("version 1; this reader reads version 2"), version.getMessage());

        final Path truncated = header(dir.resolve("cut.counters"), CountersFile.MAGIC, CountersFile.VERSION, 1000,
            4096);
        final CountersFileException cut = assertThrows(CountersFileException.class,
            () -> CountersFileReader.open(truncated));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
    }

    @Test
    void aWriterDyingMidLayoutMakesSnapshotsFailClearlyNotHang() throws IOException
    {
        final Path file = header(dir.resolve("midlayout.counters"), CountersFile.MAGIC, CountersFile.VERSION, 4,
            CountersFile.fileLength(4));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Arena arena = Arena.ofConfined())
        {
            channel.map(FileChannel.MapMode.READ_WRITE, 0, CountersFile.HEADER_LENGTH, arena)
                .set(ValueLayout.JAVA_LONG, CountersFile.EPOCH_OFFSET, 3L);
        }
        try (CountersFileReader reader = CountersFileReader.open(file))
        {
            final CountersFileException ex = assertThrows(CountersFileException.class, reader::snapshot);
            assertTrue(ex.getMessage().contains("cannot read a consistent layout"), ex.getMessage());
        }
    }

    @Test
    void oneWriterPerFile() throws IOException
    {
        final CounterRegistry registry = new CounterRegistry();
        registry.register(source("engine", "e", "v"));
        final Path file = dir.resolve("one.counters");
        try (CountersFilePublisher _ = CountersFilePublisher.builder(registry)
            .path(file).interval(MANUAL).start())
        {
            final IOException ex = assertThrows(IOException.class,
                () -> CountersFilePublisher.builder(registry).path(file).interval(MANUAL).start());
            assertTrue(ex.getMessage().contains("already written by this JVM"), ex.getMessage());
            try (CountersFileReader reader = CountersFileReader.open(file))
            {
                assertEquals(List.of("engine/e/v"), labels(reader.snapshot()), "the first file is intact");
            }
        }
    }

    @Test
    void replacesAFileLeftByADeadWriterWithoutDisturbingItsReaders() throws IOException
    {
        final Path file = dir.resolve("left.counters");
        try (CountersFileWriter abandoned = CountersFileWriter.create(dir.resolve("abandoned.counters"), 2, 100,
            1, 0L, 0L))
        {
            abandoned.layout(List.of("engine/old/v"),
                List.of(CounterDescription.gauge("v", CounterUnit.PAGES, "pages")), new long[] {5}, 0);
            // a copy holds no lock, like a file whose writer died
            Files.copy(abandoned.path(), file);
        }
        try (CountersFileReader oldReader = CountersFileReader.open(file))
        {
            final CounterRegistry registry = new CounterRegistry();
            registry.register(source("engine", "new", "v", "w"));
            try (CountersFilePublisher _ = CountersFilePublisher.builder(registry)
                    .path(file).interval(MANUAL).start();
                CountersFileReader newReader = CountersFileReader.open(file))
            {
                assertEquals(List.of("engine/new/v", "engine/new/w"), labels(newReader.snapshot()));
                assertEquals(List.of("engine/old/v"), labels(oldReader.snapshot()),
                    "the old file was replaced, not rewritten under its readers");
                assertArrayEquals(new long[] {5}, values(oldReader.snapshot()));
            }
        }
    }

    @Test
    void publishesToTheDefaultPathOrTheConfiguredOne() throws IOException
    {
        final CounterRegistry registry = new CounterRegistry();
        registry.register(source("engine", "e", "v"));
        final Path defaultPath = CountersFile.defaultPath(ProcessHandle.current().pid());
        try (CountersFilePublisher publisher = CountersFilePublisher.builder(registry).interval(MANUAL).start())
        {
            assertEquals(defaultPath, publisher.path());
            assertTrue(Files.exists(defaultPath));
        }
        assertFalse(Files.exists(defaultPath));

        final Path configured = dir.resolve("sub/dir/configured.counters");
        System.setProperty(CountersFile.FILE_PROPERTY, configured.toString());
        try (CountersFilePublisher publisher = CountersFilePublisher.builder(registry).interval(MANUAL).start())
        {
            assertEquals(configured, publisher.path());
            assertTrue(Files.exists(configured), "missing directories are created");
        }
        finally
        {
            System.clearProperty(CountersFile.FILE_PROPERTY);
        }
    }

    @Test
    void builderRejectsBadSettings()
    {
        final CountersFilePublisher.Builder builder = CountersFilePublisher.builder(new CounterRegistry());
        assertThrows(IllegalArgumentException.class, () -> builder.capacity(0));
        assertThrows(IllegalArgumentException.class, () -> builder.capacity(1_000_001));
        assertThrows(IllegalArgumentException.class, () -> builder.interval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> builder.interval(Duration.ofHours(2)));
        assertThrows(IllegalArgumentException.class, () -> builder.interval(null));
        assertThrows(IllegalArgumentException.class, () -> builder.path(null));
        assertThrows(IllegalArgumentException.class, () -> CountersFilePublisher.builder(null));
    }

    @Test
    void findsCountersFilesByName() throws IOException
    {
        Files.write(dir.resolve("tmem4j-12.counters"), new byte[1]);
        Files.write(dir.resolve("tmem4j-3.counters"), new byte[1]);
        Files.write(dir.resolve("other.counters"), new byte[1]);
        Files.write(dir.resolve("tmem4j-4.txt"), new byte[1]);
        assertEquals(List.of(dir.resolve("tmem4j-12.counters"), dir.resolve("tmem4j-3.counters")),
            CountersFile.findAll(dir));
        assertEquals(List.of(), CountersFile.findAll(dir.resolve("nothing-here")));
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "tmem4j-42.counters"), CountersFile.defaultPath(42));
    }

    private static Path header(final Path file, final long magic, final int version, final int capacity,
        final long length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            Arena arena = Arena.ofConfined())
        {
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, length, arena);
            segment.set(ValueLayout.JAVA_LONG, CountersFile.MAGIC_OFFSET, magic);
            segment.set(ValueLayout.JAVA_INT, CountersFile.VERSION_OFFSET, version);
            segment.set(ValueLayout.JAVA_INT, CountersFile.CAPACITY_OFFSET, capacity);
        }
        return file;
    }
}
