package org.tmem4j.frontend.cleancache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.MapBackend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PagedFileTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());

    @TempDir
    Path dir;

    private final BackendRegistry registry = new BackendRegistry();
    private final Cleancache cleancache = Cleancache.create(registry, FrontendsConfig.defaults());

    @AfterEach
    void tearDown()
    {
        registry.unregister();
    }

    private Path randomFile(final String name, final int bytes, final SplittableRandom random) throws Exception
    {
        final byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++)
        {
            data[i] = (byte)(random.nextInt(4) == 0 ? random.nextInt() : i / 4096);
        }
        return Files.write(dir.resolve(name), data);
    }

    private static byte[] direct(final Path file, final long position, final int length) throws Exception
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) >= 0)
            {
                // until full or at the end
            }
            final byte[] out = new byte[buffer.position()];
            buffer.flip().get(out);
            return out;
        }
    }

    private static byte[] read(final PagedFile file, final long position, final int length, final Arena arena)
    {
        final MemorySegment dst = arena.allocate(Math.max(1, length));
        final int n = file.read(position, dst.asSlice(0, length));
        return n < 0 ? new byte[0] : dst.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void readsEqualDirectReadsWithHitsCounted() throws Exception
    {
        final String context = "-Dtmem4j.seed=" + SEED;
        final SplittableRandom random = new SplittableRandom(SEED);
        final int size = 64 * 4096 + 1234;
        final Path path = randomFile("data.bin", size, random);
        registry.register(new MapBackend("map", 10_000));
        final CleancacheFs fs = cleancache.initFs();
        try (Arena arena = Arena.ofConfined())
        {
            try (PagedFile file = PagedFile.open(path, fs, 8, false))
            {
                for (int i = 0; i < 5000; i++)
                {
                    final long position = random.nextLong(size + 100);
                    final int length = random.nextInt(3 * 4096);
                    assertArrayEquals(direct(path, position, length), read(file, position, length, arena),
                        context + " read " + i + " at " + position + " of " + length);
                }
                final PagedFile.Stats stats = file.stats();
                assertTrue(stats.cacheHits() > 0 && stats.cleancacheHits() > 0, context + " " + stats);
                assertTrue(stats.diskReads() >= 65 && stats.diskReads() < 5000, context + " " + stats);
            }
            // a second open of the same unchanged file finds what the first left behind
            try (PagedFile again = PagedFile.open(path, fs, 8, false))
            {
                for (long position = 0; position < size; position += 4096)
                {
                    assertArrayEquals(direct(path, position, 4096), read(again, position, 4096, arena), context);
                }
                assertEquals(0, again.stats().diskReads(), context + " " + again.stats());
                assertEquals(65, again.stats().cleancacheHits());
            }
        }
    }

    @Test
    void writesAndTruncationInvalidate() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final Path path = randomFile("rw.bin", 16 * 4096, random);
        registry.register(new MapBackend("map", 10_000));
        final CleancacheFs fs = cleancache.initFs();
        try (Arena arena = Arena.ofConfined(); PagedFile file = PagedFile.open(path, fs, 2, true))
        {
            for (long position = 0; position < 16 * 4096; position += 4096)
            {
                read(file, position, 4096, arena);
            }
            // 14 pages now in cleancache, 2 in the file's own cache; overwrite one of each and a span of two
            final MemorySegment patch = arena.allocate(6000);
            patch.fill((byte)0x5A);
            file.write(3 * 4096 + 100, patch);
            file.write(15 * 4096 - 10, patch.asSlice(0, 20));
            for (long position = 0; position < file.size(); position += 1000)
            {
                assertArrayEquals(direct(path, position, 1000), read(file, position, 1000, arena),
                    "at " + position);
            }
            file.truncate(5 * 4096 + 7);
            assertEquals(5 * 4096 + 7, file.size());
            assertEquals(-1, file.read(5 * 4096 + 7, arena.allocate(10)));
            file.write(9 * 4096, patch.asSlice(0, 100));
            for (long position = 0; position < file.size(); position += 512)
            {
                assertArrayEquals(direct(path, position, 512), read(file, position, 512, arena),
                    "after truncation and regrowth, at " + position);
            }
            assertThrows(IllegalArgumentException.class, () -> file.read(-1, patch));
            assertThrows(IllegalArgumentException.class, () -> file.truncate(-1));
        }
        assertThrows(IllegalArgumentException.class, () -> PagedFile.open(path, fs, 0, false));
    }
}
