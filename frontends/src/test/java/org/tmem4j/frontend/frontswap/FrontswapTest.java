package org.tmem4j.frontend.frontswap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.MapBackend;
import org.tmem4j.frontend.Pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrontswapTest
{
    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
    private final MemorySegment dst = arena.allocate(SwapArea.PAGE_SIZE);
    private final BackendRegistry registry = new BackendRegistry();

    @AfterEach
    void tearDown()
    {
        registry.unregister();
        arena.close();
    }

    private int[] fill(final SwapArea area, final int count, final long firstTag)
    {
        final int[] slots = new int[count];
        for (int i = 0; i < count; i++)
        {
            slots[i] = area.allocateSlot();
            Pages.fill(page, firstTag + i);
            area.store(slots[i], page);
        }
        return slots;
    }

    private void verify(final SwapArea area, final int[] slots, final long firstTag)
    {
        for (int i = 0; i < slots.length; i++)
        {
            assertTrue(area.load(slots[i], dst) && Pages.matches(dst, firstTag + i), "slot " + slots[i]);
        }
    }

    @Test
    void shrinkAcrossAreasWritesBackUntilTheTarget()
    {
        try (Frontswap frontswap = Frontswap.create(registry, FrontendsConfig.defaults()))
        {
            final SwapArea a = frontswap.swapOn(dir.resolve("a.swap"), 100);
            final SwapArea b = frontswap.swapOn(dir.resolve("b.swap"), 100);
            final MapBackend backend = new MapBackend("map", 1000);
            registry.register(backend);
            final int[] slotsA = fill(a, 60, 0);
            final int[] slotsB = fill(b, 40, 1000);
            assertEquals(100, frontswap.currPages());
            assertEquals(70, frontswap.shrink(30));
            assertEquals(30, frontswap.currPages());
            assertEquals(30, backend.usedPages());
            assertEquals(0, frontswap.shrink(50), "already below the target");
            verify(a, slotsA, 0);
            verify(b, slotsB, 1000);
        }
    }

    @Test
    void exclusiveLoadsTakeThePageOut()
    {
        try (Frontswap frontswap = Frontswap.create(registry, FrontendsConfig.builder().exclusiveGets(true).build()))
        {
            final SwapArea area = frontswap.swapOn(dir.resolve("x.swap"), 10);
            final MapBackend backend = new MapBackend("map", 1000);
            registry.register(backend);
            final int[] slots = fill(area, 2, 5);
            assertTrue(area.isInBackend(slots[0]));
            verify(area, slots, 5);
            assertFalse(area.isInBackend(slots[0]));
            assertEquals(0, backend.usedPages(), "the backend copy was freed");
            assertFalse(area.load(slots[0], dst), "the slot holds nothing until stored again");
        }
    }

    @Test
    void selfshrinkDrainsAnIdleArea() throws Exception
    {
        final FrontendsConfig config = FrontendsConfig.builder().selfshrink(true)
            .selfshrinkInterval(Duration.ofMillis(5)).build();
        try (Frontswap frontswap = Frontswap.create(registry, config))
        {
            final SwapArea area = frontswap.swapOn(dir.resolve("s.swap"), 200);
            registry.register(new MapBackend("map", 1000));
            final int[] slots = fill(area, 200, 77);
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (area.currPages() > 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertEquals(0, area.currPages(), "an idle area shrinks a twentieth at a time to nothing");
            verify(area, slots, 77);
        }
    }

    @Test
    void anInterruptedStoreStillReachesTheFile()
    {
        try (Frontswap frontswap = Frontswap.create(registry, FrontendsConfig.defaults()))
        {
            final SwapArea area = frontswap.swapOn(dir.resolve("i.swap"), 4);
            final int slot = area.allocateSlot();
            Pages.fill(page, 11);
            Thread.currentThread().interrupt();
            try
            {
                assertFalse(area.store(slot, page));
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
                assertTrue(area.load(slot, dst));
            }
            finally
            {
                Thread.interrupted();
            }
            assertTrue(Pages.matches(dst, 11));
            final int other = area.allocateSlot();
            Pages.fill(page, 12);
            area.store(other, page);
            assertTrue(area.load(other, dst) && Pages.matches(dst, 12), "the file works for everyone after");
        }
    }
}
