package org.tmem4j.frontend.frontswap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SwapAreaTest
{
    @Test
    void badInput(@TempDir final Path tmp)
    {
        final BackendRegistry registry = new BackendRegistry();
        try (Frontswap frontswap = Frontswap.create(registry, FrontendsConfig.defaults());
             Arena arena = Arena.ofConfined())
        {
            assertThrows(IllegalArgumentException.class, () -> frontswap.swapOn(tmp.resolve("x"), 0));
            assertThrows(IllegalArgumentException.class, () -> frontswap.swapOn(null, 1));
            final SwapArea area = frontswap.swapOn(tmp.resolve("bad.swap"), 3);
            final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
            final IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> area.store(3, page));
            assertTrue(outside.getMessage().contains("slots are 0..2"), outside.getMessage());
            final IllegalArgumentException unallocated = assertThrows(IllegalArgumentException.class,
                () -> area.load(1, page));
            assertTrue(unallocated.getMessage().contains("not allocated"), unallocated.getMessage());
            final int slot = area.allocateSlot();
            final IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> area.store(slot, arena.allocate(100)));
            assertTrue(small.getMessage().contains("exactly 4096 bytes, got 100"), small.getMessage());
            assertThrows(IllegalArgumentException.class, () -> area.shrink(-1));
            assertEquals(1, area.allocateSlot());
            assertEquals(2, area.allocateSlot());
            assertEquals(SwapArea.NO_SLOT, area.allocateSlot());
            area.close();
            area.close();
            final IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> area.store(slot, page));
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        }
    }
}
