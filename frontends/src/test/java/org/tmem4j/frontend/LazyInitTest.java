package org.tmem4j.frontend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The orderings of the lazy-init seeds: inits before any backend, swapoff before registration, register /
 * unregister / register, invalidations with no backend, thousands of filesystems, inits racing registration.
 */
class LazyInitTest
{
    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment page = arena.allocate(4096);
    private final MemorySegment dst = arena.allocate(4096);
    private final BackendRegistry registry = new BackendRegistry();
    private final Cleancache cleancache = Cleancache.create(registry, FrontendsConfig.defaults());
    private final Frontswap frontswap = Frontswap.create(registry, FrontendsConfig.defaults());

    @AfterEach
    void tearDown()
    {
        frontswap.close();
        registry.unregister();
        arena.close();
    }

    private static long countPools(final MapBackend backend, final boolean persistent)
    {
        return backend.created().stream().filter(p -> p.persistent() == persistent).count();
    }

    private boolean roundTrip(final CleancacheFs fs, final long tag)
    {
        final FileKey key = new FileKey(tag, 2, 3);
        Pages.fill(page, tag);
        fs.putPage(key, 7, page);
        return fs.getPage(key, 7, dst) && Pages.matches(dst, tag);
    }

    @Test
    void mountBeforeAnyBackendThenRegisterReplaysEveryPool()
    {
        final List<CleancacheFs> filesystems = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            filesystems.add(cleancache.initFs());
        }
        final UUID uuid = UUID.randomUUID();
        final CleancacheFs sharedA = cleancache.initSharedFs(uuid);
        final CleancacheFs sharedB = cleancache.initSharedFs(uuid);
        final SwapArea area = frontswap.swapOn(dir.resolve("a.swap"), 64);

        // before the backend: puts dropped, gets miss, stores go to the file
        assertFalse(roundTrip(filesystems.get(0), 1));
        final int slot = area.allocateSlot();
        Pages.fill(page, 99);
        assertFalse(area.store(slot, page));

        final MapBackend backend = new MapBackend("map", 1000);
        registry.register(backend);
        assertEquals(101, countPools(backend, false), "100 private pools + 1 shared pool for the uuid");
        assertEquals(1, countPools(backend, true));
        for (int i = 0; i < filesystems.size(); i++)
        {
            assertTrue(roundTrip(filesystems.get(i), 1000 + i), "fs " + i);
        }
        final FileKey key = new FileKey(5, 5, 5);
        Pages.fill(page, 5);
        sharedA.putPage(key, 0, page);
        assertTrue(sharedB.getPage(key, 0, dst), "mounts of one uuid share pages");
        assertTrue(Pages.matches(dst, 5));

        assertTrue(area.load(slot, dst));
        assertTrue(Pages.matches(dst, 99), "the page stored before the backend comes from the file");
        Pages.fill(page, 100);
        assertTrue(area.store(slot, page));
        assertTrue(area.isInBackend(slot));
    }

    @Test
    void swapOnSwapOffThenRegisterDoesNotInitTheDeadArea()
    {
        final SwapArea dead = frontswap.swapOn(dir.resolve("dead.swap"), 16);
        dead.close();
        final SwapArea live = frontswap.swapOn(dir.resolve("live.swap"), 16);
        final MapBackend backend = new MapBackend("map", 100);
        registry.register(backend);
        assertEquals(1, countPools(backend, true), "only the live area is initialized");
        assertEquals(List.of(live), frontswap.areas());
        assertThrows(IllegalStateException.class, dead::allocateSlot);
    }

    @Test
    void registerUnregisterRegisterAgain()
    {
        final CleancacheFs fs = cleancache.initFs();
        final SwapArea area = frontswap.swapOn(dir.resolve("r.swap"), 256);
        final MapBackend first = new MapBackend("first", 1000);
        registry.register(first);
        final int[] slots = new int[100];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = area.allocateSlot();
            Pages.fill(page, i);
            assertTrue(area.store(slots[i], page));
        }
        final FileKey key = new FileKey(1, 1, 1);
        Pages.fill(page, -7);
        fs.putPage(key, 3, page);
        assertEquals(101, first.usedPages());

        assertTrue(registry.unregister());
        assertNull(registry.backend());
        assertEquals(0, first.usedPages(), "every page left the backend");
        assertEquals(0, first.livePools(), "every pool of the backend was destroyed");
        assertEquals(0, area.currPages());
        assertFalse(fs.getPage(key, 3, dst), "ephemeral pages are dropped");
        for (int i = 0; i < slots.length; i++)
        {
            assertFalse(area.isInBackend(slots[i]));
            assertTrue(area.load(slots[i], dst));
            assertTrue(Pages.matches(dst, i), "slot " + slots[i] + " was written back to the file");
        }
        assertFalse(registry.unregister(), "nothing left to unregister");

        final MapBackend second = new MapBackend("second", 1000);
        registry.register(second);
        assertEquals(1, countPools(second, false));
        assertEquals(1, countPools(second, true));
        Pages.fill(page, 12345);
        assertTrue(area.store(slots[0], page));
        assertTrue(area.load(slots[0], dst));
        assertTrue(Pages.matches(dst, 12345));
        assertTrue(roundTrip(fs, 77));

        // the first backend may come back: a new registration, new pools
        registry.unregister();
        registry.register(first);
        assertEquals(4, first.created().size());
        assertTrue(area.load(slots[0], dst));
        assertTrue(Pages.matches(dst, 12345));
    }

    @Test
    void invalidationsBeforeRegistration()
    {
        final CleancacheFs fs = cleancache.initFs();
        final SwapArea area = frontswap.swapOn(dir.resolve("i.swap"), 8);
        final FileKey key = new FileKey(9, 9, 9);
        fs.invalidatePage(key, 1);
        fs.invalidateInode(key);
        final int slot = area.allocateSlot();
        Pages.fill(page, 3);
        area.store(slot, page);
        area.invalidatePage(slot);
        assertFalse(area.load(slot, dst), "an invalidated slot holds nothing");
        final CleancacheFs gone = cleancache.initFs();
        gone.invalidateFs();
        area.invalidateArea();

        final MapBackend backend = new MapBackend("map", 100);
        registry.register(backend);
        assertEquals(1, countPools(backend, false), "the unmounted fs is not replayed");
        assertThrows(IllegalArgumentException.class, () -> area.load(slot, dst),
            "invalidateArea freed the slot");
        assertTrue(roundTrip(fs, 4));
        assertThrows(IllegalStateException.class, () -> gone.getPage(key, 0, dst));
    }

    @Test
    void thousandsOfFilesystemsWithoutACap()
    {
        final List<CleancacheFs> filesystems = new ArrayList<>();
        for (int i = 0; i < 5000; i++)
        {
            filesystems.add(cleancache.initFs());
        }
        final MapBackend backend = new MapBackend("map", 100_000);
        registry.register(backend);
        for (int i = 0; i < 5000; i++)
        {
            filesystems.add(cleancache.initFs());
        }
        assertEquals(10_000, backend.created().size());
        for (int i = 0; i < filesystems.size(); i += 97)
        {
            assertTrue(roundTrip(filesystems.get(i), i), "fs " + i);
        }
        for (int i = 0; i < filesystems.size(); i += 2)
        {
            filesystems.get(i).invalidateFs();
        }
        assertEquals(5000, cleancache.pools());
        registry.unregister();
        final MapBackend next = new MapBackend("next", 100_000);
        registry.register(next);
        assertEquals(5000, next.created().size(), "only the mounted filesystems are replayed");
    }

    @Test
    void initsRacingWithRegistrationAreNeitherLostNorReplayedTwice() throws Exception
    {
        for (int round = 0; round < 20; round++)
        {
            final CountDownLatch started = new CountDownLatch(2);
            final List<List<CleancacheFs>> mounted = List.of(new ArrayList<>(), new ArrayList<>());
            final List<Thread> threads = new ArrayList<>();
            for (final List<CleancacheFs> mine : mounted)
            {
                threads.add(Thread.ofPlatform().start(() ->
                {
                    started.countDown();
                    while (mine.size() < 500)
                    {
                        mine.add(cleancache.initFs());
                    }
                }));
            }
            started.await();
            final MapBackend backend = new MapBackend("race" + round, 100_000);
            registry.register(backend);
            for (final Thread thread : threads)
            {
                thread.join();
            }
            assertEquals(cleancache.pools(), backend.created().size(),
                "round " + round + ": one backend pool per mounted filesystem");
            for (final List<CleancacheFs> mine : mounted)
            {
                for (final CleancacheFs fs : mine)
                {
                    assertTrue(roundTrip(fs, round), "round " + round);
                    fs.invalidateFs();
                }
            }
            assertEquals(0, backend.livePools());
            registry.unregister();
        }
    }

    @Test
    void providersByNameAndOneBackendAtATime()
    {
        final Backend backend = registry.register("map", FrontendsConfig.builder().budgetBytes(1 << 20).build());
        assertSame(backend, registry.backend());
        final IllegalStateException busy = assertThrows(IllegalStateException.class,
            () -> registry.register(new MapBackend("other", 1)));
        assertTrue(busy.getMessage().contains("'map' is registered"), busy.getMessage());
        registry.unregister();
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> registry.register("nosuch", FrontendsConfig.defaults()));
        assertTrue(unknown.getMessage().contains("unknown backend 'nosuch'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("map"), unknown.getMessage());
        assertNull(registry.backend());
    }

    @Test
    void disabledFrontendsNeverReachTheBackend()
    {
        final FrontendsConfig off = FrontendsConfig.builder().cleancacheEnabled(false).frontswapEnabled(false).build();
        final Cleancache cc = Cleancache.create(registry, off);
        try (Frontswap fsw = Frontswap.create(registry, off))
        {
            final CleancacheFs fs = cc.initFs();
            final SwapArea area = fsw.swapOn(dir.resolve("off.swap"), 4);
            final MapBackend backend = new MapBackend("map", 100);
            registry.register(backend);
            assertFalse(roundTrip(fs, 1));
            final int slot = area.allocateSlot();
            Pages.fill(page, 8);
            assertFalse(area.store(slot, page));
            assertTrue(area.load(slot, dst));
            assertTrue(Pages.matches(dst, 8));
            assertEquals(0, backend.usedPages());
        }
    }
}
