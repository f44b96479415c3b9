package org.tmem4j.frontend.cleancache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FaultyBackend;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.MapBackend;
import org.tmem4j.frontend.Pages;
import org.tmem4j.stats.CounterDescription;
import org.tmem4j.stats.CounterSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CleancacheTest
{
    @TempDir
    Path dir;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment page = arena.allocate(4096);
    private final MemorySegment dst = arena.allocate(4096);
    private final BackendRegistry registry = new BackendRegistry();
    private final Cleancache cleancache = Cleancache.create(registry, FrontendsConfig.defaults());
    private final MapBackend backend = new MapBackend("map", 1000);

    @AfterEach
    void tearDown()
    {
        registry.unregister();
        arena.close();
    }

    private long[] counters()
    {
        final CounterSource source = cleancache.counters();
        assertEquals(List.of("succ_gets", "failed_gets", "puts", "dropped_puts", "invalidates", "backend_errors",
            "index_overflow_puts", "pools"), source.descriptions().stream().map(CounterDescription::name).toList());
        final long[] values = new long[8];
        source.sample(values);
        return values;
    }

    @Test
    void putsAreCountedAndDroppedWithoutABackendThenKept()
    {
        final CleancacheFs fs = cleancache.initFs();
        final FileKey key = new FileKey(1, 2, 3);
        Pages.fill(page, 42);
        fs.putPage(key, 0, page);
        assertFalse(fs.getPage(key, 0, dst));
        assertArrayEquals(new long[] {0, 1, 1, 1, 0, 0, 0, 1}, counters());

        registry.register(backend);
        fs.putPage(key, 0, page);
        assertTrue(fs.getPage(key, 0, dst));
        assertTrue(Pages.matches(dst, 42));
        assertFalse(fs.getPage(key, 0, dst), "ephemeral gets are exclusive");
        fs.putPage(key, 1, page);
        fs.putPage(key, 2, page);
        fs.invalidatePage(key, 1);
        assertFalse(fs.getPage(key, 1, dst));
        fs.invalidateInode(key);
        assertFalse(fs.getPage(key, 2, dst));
        assertArrayEquals(new long[] {1, 4, 4, 1, 2, 0, 0, 1}, counters());
    }

    @Test
    void keysAndPoolsAreSeparate()
    {
        registry.register(backend);
        final CleancacheFs a = cleancache.initFs();
        final CleancacheFs b = cleancache.initFs();
        final FileKey key = new FileKey(0, 0, 0);
        Pages.fill(page, 1);
        a.putPage(key, 5, page);
        assertFalse(b.getPage(key, 5, dst), "another filesystem's pool");
        assertFalse(a.getPage(new FileKey(0, 0, 1), 5, dst), "another file");
        assertFalse(a.getPage(key, 6, dst), "another page");
        assertTrue(a.getPage(key, 5, dst));
        final long droppedBefore = counters()[3];
        a.putPage(key, Integer.MAX_VALUE + 1L, page);
        assertFalse(a.getPage(key, Integer.MAX_VALUE + 1L, dst), "indexes past 32 bits are not cached");
        assertEquals(droppedBefore + 1, counters()[3], "dropped_puts");
        assertEquals(1, counters()[6], "index_overflow_puts");
    }

    @Test
    void sharedFilesystemsShareOnePoolUntilTheLastUnmount()
    {
        final UUID uuid = new UUID(7, 8);
        final CleancacheFs first = cleancache.initSharedFs(uuid);
        final CleancacheFs second = cleancache.initSharedFs(uuid);
        final CleancacheFs other = cleancache.initSharedFs(new UUID(7, 9));
        assertTrue(first.isShared());
        assertEquals(2, cleancache.pools());
        registry.register(backend);
        assertEquals(2, backend.created().size());
        final FileKey key = new FileKey(1, 1, 1);
        Pages.fill(page, 3);
        first.putPage(key, 0, page);
        assertFalse(other.getPage(key, 0, dst));
        first.invalidateFs();
        assertTrue(second.getPage(key, 0, dst), "the pool lives while a mount of its uuid does");
        second.invalidateFs();
        assertEquals(1, backend.livePools());
        final CleancacheFs again = cleancache.initSharedFs(uuid);
        assertFalse(again.getPage(key, 0, dst), "the last unmount dropped the pool");
        assertThrows(IllegalArgumentException.class, () -> cleancache.initSharedFs(uuid, 8192));
    }

    @Test
    void badInput()
    {
        final CleancacheFs fs = cleancache.initFs();
        final FileKey key = new FileKey(1, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> new FileKey(-1, -1, -1));
        final IllegalArgumentException index = assertThrows(IllegalArgumentException.class,
            () -> fs.getPage(key, -1, dst));
        assertTrue(index.getMessage().contains("negative"), index.getMessage());
        final IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
            () -> fs.putPage(key, 0, arena.allocate(512)));
        assertTrue(size.getMessage().contains("exactly 4096 bytes"), size.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fs.putPage(null, 0, page));
        final IllegalArgumentException pageSize = assertThrows(IllegalArgumentException.class,
            () -> cleancache.initFs(5000));
        assertTrue(pageSize.getMessage().contains("power of two from 4096 to 65536"), pageSize.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cleancache.initSharedFs(null));
        fs.invalidateFs();
        fs.invalidateFs();
        assertThrows(IllegalStateException.class, () -> fs.putPage(key, 0, page));
    }

    @Test
    void fileKeysComeFromIdentityNotPath() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("a.txt"), "hello");
        final Path link = Files.createLink(dir.resolve("b.txt"), file);
        assertEquals(FileKey.of(file), FileKey.of(link), "two names of one file");
        final Path other = Files.writeString(dir.resolve("c.txt"), "hello");
        assertNotEquals(FileKey.of(file), FileKey.of(other));
    }

    @Test
    void aFailingBackendLosesOnlyEphemeralPages()
    {
        final FaultyBackend faulty = new FaultyBackend(backend);
        registry.register(faulty);
        final CleancacheFs fs = cleancache.initFs();
        final FileKey key = new FileKey(4, 4, 4);
        Pages.fill(page, 4);
        faulty.throwOnPuts = true;
        fs.putPage(key, 0, page);
        faulty.throwOnPuts = false;
        assertFalse(fs.getPage(key, 0, dst));
        assertEquals(1, counters()[5], "backend_errors");
    }
}
