package org.tmem4j.frontend;

// README example begins
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;

public class ReadmeExample {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        Path swapFile = dir.resolve("app.swap");
        Path dataFile = Files.writeString(dir.resolve("data.db"), "some file");

        FrontendsConfig config = FrontendsConfig.builder()
            .allocator("zsmalloc").codec("lz4").budgetBytes(64L << 20).build();
        BackendRegistry registry = new BackendRegistry();
        Frontswap frontswap = Frontswap.create(registry, config);
        Cleancache cleancache = Cleancache.create(registry, config);
        try (frontswap; Arena arena = Arena.ofConfined()) {
            SwapArea area = frontswap.swapOn(swapFile, 1 << 12);  // no backend yet: recorded
            CleancacheFs fs = cleancache.initFs();                 // recorded too
            registry.register("zcache", config);                   // replays both inits, then publishes

            MemorySegment page = arena.allocate(4096), back = arena.allocate(4096);
            page.fill((byte) 42);
            int slot = area.allocateSlot();
            area.store(slot, page);            // compressed in RAM, or written to the swap file
            area.load(slot, back);             // always the bytes stored
            FileKey key = FileKey.of(dataFile);
            fs.putPage(key, 7, page);          // a clean page the application drops
            boolean hit = fs.getPage(key, 7, back);  // a hit takes it out (ephemeral)
            registry.unregister();             // persistent pages are written back to the swap file first
            back.fill((byte) 0);
            area.load(slot, back);             // now from the file, still the bytes stored
            System.out.println("cleancache hit: " + hit + "; swapped page intact: " + (back.mismatch(page) == -1));
        }
    }
}
// README example ends
