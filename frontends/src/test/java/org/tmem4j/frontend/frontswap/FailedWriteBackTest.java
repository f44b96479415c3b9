package org.tmem4j.frontend.frontswap;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Pages;
import org.tmem4j.frontend.TinyTmpfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, section 1: unregistering a backend whose pages do not fit in the swap file (a 1 MiB tmpfs) is refused,
 * the backend keeps every page it could not give back, and every slot works as before; with room made, the
 * unregistration goes through and every page loads exact from the file.
 */
class FailedWriteBackTest
{
    private static final int SLOTS = 1024;
    private static final int STORED = 400;
    private static final int FITS = (1 << 20) / SwapArea.PAGE_SIZE;

    @TempDir
    Path dir;

    @Test
    void unregisteringIntoAFullSwapFileIsRefusedAndLosesNothing()
    {
        final FrontendsConfig config = FrontendsConfig.defaults();
        final BackendRegistry registry = new BackendRegistry();
        try (TinyTmpfs tmpfs = TinyTmpfs.mount(dir, "1m");
             Frontswap frontswap = Frontswap.create(registry, config);
             Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
            final MemorySegment dst = arena.allocate(SwapArea.PAGE_SIZE);
            registry.register("zcache", config);
            final SwapArea area = frontswap.swapOn(tmpfs.resolve("full.swap"), SLOTS);
            for (int slot = 0; slot < STORED; slot++)
            {
                assertEquals(slot, area.allocateSlot());
                Pages.fill(page, slot);
                assertTrue(area.store(slot, page), "the backend takes every page");
            }

            final IllegalStateException refused = assertThrows(IllegalStateException.class, registry::unregister);
            assertTrue(refused.getMessage().contains("stays registered"), refused.getMessage());
            assertTrue(refused.getMessage().contains((STORED - FITS) + " pages of " + area), refused.getMessage());
            assertTrue(refused.getMessage().contains("No space left on device"), refused.getMessage());
            assertInstanceOf(UncheckedIOException.class, rootWithin(refused));
            assertNotNull(registry.backend(), "the backend is still registered");
            assertEquals(STORED - FITS, area.currPages(), "the pages not written back stay in the backend");

            for (int slot = 0; slot < STORED; slot++)
            {
                assertTrue(area.load(slot, dst), "slot " + slot);
                assertTrue(Pages.matches(dst, slot), "slot " + slot + " loads exact");
            }
            for (int slot = 0; slot < STORED; slot++)
            {
                Pages.fill(page, 10_000 + slot);
                assertTrue(area.store(slot, page), "slot " + slot + " can be stored again, into the live backend");
            }
            assertEquals(STORED, area.currPages());

            tmpfs.resize("8m");
            assertTrue(registry.unregister());
            assertNull(registry.backend());
            assertEquals(0, area.currPages());
            for (int slot = 0; slot < STORED; slot++)
            {
                assertTrue(area.load(slot, dst) && Pages.matches(dst, 10_000 + slot), "slot " + slot + " from the file");
            }
            registry.register("zcache", config);
            for (int slot = 0; slot < STORED; slot++)
            {
                assertTrue(area.load(slot, dst) && Pages.matches(dst, 10_000 + slot), "slot " + slot
                    + " from the file with a new backend registered: no backend is blamed");
            }
            registry.unregister();
            frontswap.close();
        }
    }

    private static Throwable rootWithin(final Throwable top)
    {
        Throwable t = top;
        while (t.getCause() != null && !(t instanceof UncheckedIOException))
        {
            t = t.getCause();
        }
        return t;
    }
}
