package org.tmem4j.frontend;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's usage example, compiled and run, so the README cannot drift from the API.
 */
final class ReadmeExampleTest
{
    @Test
    void readmeExampleStoresAndLoadsBitExact(@TempDir final Path dir) throws IOException
    {
        final Path swapFile = dir.resolve("app.swap");
        final Path dataFile = Files.writeString(dir.resolve("data.db"), "some file");
        final MemorySegment loaded;
        final boolean hit;
        // README example begins
        FrontendsConfig config = FrontendsConfig.builder()
            .allocator("zsmalloc").codec("lz4").budgetBytes(64L << 20).build();
        BackendRegistry registry = new BackendRegistry();
        Frontswap frontswap = Frontswap.create(registry, config);
        Cleancache cleancache = Cleancache.create(registry, config);
        try (frontswap; Arena arena = Arena.ofConfined())
        {
            SwapArea area = frontswap.swapOn(swapFile, 1 << 12);  // no backend yet: recorded
            CleancacheFs fs = cleancache.initFs();                 // recorded too
            registry.register("zcache", config);                   // replays both inits, then publishes

            MemorySegment page = arena.allocate(4096);
            MemorySegment back = arena.allocate(4096);
            page.fill((byte) 42);
            int slot = area.allocateSlot();
            area.store(slot, page);            // compressed in RAM, or written to the swap file
            area.load(slot, back);             // always the bytes stored
            FileKey key = FileKey.of(dataFile);
            fs.putPage(key, 7, page);          // a clean page the application drops
            hit = fs.getPage(key, 7, back);    // a hit takes it out (ephemeral)

            registry.unregister();             // persistent pages are written back to the swap file first
            area.load(slot, back);             // now from the file, still the bytes stored
            // README example ends
            loaded = arena.allocate(4096).copyFrom(back);
            assertEquals(-1, loaded.mismatch(page), "the page read back after unregistering");
        }
        assertTrue(hit, "cleancache hit");
    }
}
