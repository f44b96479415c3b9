package org.tmem4j.frontend.zcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Pages;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;
import org.tmem4j.zsmalloc.Zsmalloc;

/**
 * {@link Cleancache} and {@link BackendRegistry} as {@link AutoCloseable}s over a real zcache: closing gives the
 * pages' memory back and leaves nothing registered, and every persistent page survives.
 */
class ClosingTest
{
    private static final int PAGES = 200;
    private static final FileKey FILE = new FileKey(1, 2, 3);

    @TempDir
    Path dir;

    @Test
    void closingCleancacheDropsItsPagesFromTheBackendAndFreesTheirMemory()
    {
        final FrontendsConfig config = FrontendsConfig.builder().allocator("zsmalloc").budgetBytes(8L << 20).build();
        try (BackendRegistry registry = new BackendRegistry();
            Arena arena = Arena.ofConfined())
        {
            final Zcache zcache = ((ZcacheBackend)registry.register("zcache", config)).zcache();
            final MemorySegment page = arena.allocate(4096);
            final CleancacheFs fs;
            final ZcacheStats full;
            try (Cleancache cleancache = Cleancache.create(registry, config))
            {
                fs = cleancache.initFs();
                for (int i = 0; i < PAGES; i++)
                {
                    Pages.fill(page, i);
                    fs.putPage(FILE, i, page);
                }
                full = zcache.stats();
                assertEquals(PAGES, full.storedPages(), full.toString());
                assertTrue(full.memory().pagesInUse() > 0, full.toString());
            }
            final ZcacheStats empty = zcache.stats();
            assertEquals(0, empty.storedPages(), empty.toString());
            assertEquals(0, empty.allocator().objects(), empty.toString());
            // each of zsmalloc's shards (one per CPU the putting thread ran on) may keep one spare page of chunks
            final int shards = ((Zsmalloc)zcache.allocator()).shardsPerClass();
            assertTrue(empty.allocator().pagesUsed() <= shards && empty.memory().pagesInUse() <= shards,
                "the allocator gave its " + full.memory().pagesInUse() + " pages back but one spare per shard ("
                    + shards + "): " + empty);
            assertEquals(0, empty.pools().size(), "the filesystem's pool left the backend");
            assertFalse(fs.getPage(FILE, 0, page), "a handle of a closed cleancache misses");
            fs.putPage(FILE, 0, page);
            assertEquals(0, zcache.stats().storedPages(), "and drops its puts");

            final Cleancache closed = Cleancache.create(registry, config);
            closed.close();
            final IllegalStateException mount = assertThrows(IllegalStateException.class, closed::initFs);
            assertTrue(mount.getMessage().contains("cleancache is closed"), mount.getMessage());
        }
    }

    @Test
    void closingTheRegistryWritesPersistentPagesBackClosesTheBackendAndRefusesAnother()
    {
        final FrontendsConfig config = FrontendsConfig.builder().allocator("zbud").budgetBytes(8L << 20).build();
        final BackendRegistry registry = new BackendRegistry();
        try (Frontswap frontswap = Frontswap.create(registry, config);
            Arena arena = Arena.ofConfined())
        {
            final Zcache zcache = ((ZcacheBackend)registry.register("zcache", config)).zcache();
            final SwapArea area = frontswap.swapOn(dir.resolve("swap"), PAGES);
            final MemorySegment page = arena.allocate(4096);
            for (int i = 0; i < PAGES; i++)
            {
                Pages.fill(page, 1000 + i);
                assertTrue(area.store(area.allocateSlot(), page));
            }
            assertEquals(PAGES, area.currPages());

            registry.close();
            assertNull(registry.backend());
            assertThrows(IllegalStateException.class, zcache::stats, "the provider-made backend is closed");
            assertEquals(0, area.currPages(), "every page went back to the swap file");
            for (int i = 0; i < PAGES; i++)
            {
                assertTrue(area.load(i, page));
                assertTrue(Pages.matches(page, 1000 + i), "slot " + i);
            }
            final IllegalStateException again = assertThrows(IllegalStateException.class,
                () -> registry.register("zcache", config));
            assertTrue(again.getMessage().contains("registry is closed"), again.getMessage());
            registry.close();
        }
    }
}
