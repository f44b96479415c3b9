package org.tmem4j.frontend.frontswap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.MapBackend;
import org.tmem4j.frontend.Pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random operations on one swap area against a model (slot -> page tag), with the backend registered and
 * unregistered, full, refusing and throwing along the way: every load returns exactly the last page stored, and
 * the bitmap, curr_pages, the backend's page count and the counters agree after every step.
 */
class FrontswapModelTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int OPS = Integer.getInteger("tmem4j.ops", 1_000_000);
    private static final int SLOTS = 700;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "exclusiveGets={0} writethrough={1} ops/{2}")
    @CsvSource({"false, false, 1", "true, false, 8", "false, true, 8", "true, true, 8"})
    void matchesTheModel(final boolean exclusive, final boolean writethrough, final int divisor)
    {
        final long seed = SEED ^ (exclusive ? 1 : 0) ^ (writethrough ? 2 : 0);
        final String context = "seed " + seed + " (-Dtmem4j.seed=" + SEED + ")";
        final SplittableRandom random = new SplittableRandom(seed);
        final BackendRegistry registry = new BackendRegistry();
        final FrontendsConfig config = FrontendsConfig.builder().exclusiveGets(exclusive).writethrough(writethrough)
            .build();
        final MapBackend backend = new MapBackend("map", 150);
        final Map<Integer, Long> model = new HashMap<>();
        final List<Integer> allocated = new ArrayList<>();
        long stores = 0;
        long pagesLoaded = 0;
        int op = 0;
        try (Frontswap frontswap = Frontswap.create(registry, config); Arena arena = Arena.ofConfined())
        {
            final SwapArea area = frontswap.swapOn(dir.resolve("model.swap"), SLOTS);
            final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
            final MemorySegment dst = arena.allocate(SwapArea.PAGE_SIZE);
            long nextTag = 1;
            final int ops = OPS / divisor;
            for (op = 0; op < ops; op++)
            {
                final int dice = random.nextInt(1000);
                if (dice < 1 && random.nextInt(2) == 0)
                {
                    if (registry.backend() == null)
                    {
                        registry.register(backend);
                    }
                    else
                    {
                        registry.unregister();
                        assertEquals(0, area.currPages(), context);
                        assertEquals(0, backend.usedPages(), context);
                    }
                }
                else if (dice < 4)
                {
                    backend.refusePuts = !backend.refusePuts;
                }
                else if (dice < 5)
                {
                    backend.throwOnPuts = !backend.throwOnPuts;
                }
                else if (dice < 10)
                {
                    area.shrink(random.nextInt(100));
                }
                else if (dice < 11 && random.nextInt(10) == 0)
                {
                    area.invalidateArea();
                    model.clear();
                    allocated.clear();
                }
                else if (dice < 100 || allocated.isEmpty())
                {
                    final int slot = area.allocateSlot();
                    if (slot == SwapArea.NO_SLOT)
                    {
                        assertEquals(SLOTS, allocated.size(), context);
                    }
                    else
                    {
                        assertTrue(!allocated.contains(slot), context + " slot " + slot + " given twice");
                        allocated.add(slot);
                    }
                }
                else if (dice < 160)
                {
                    final int at = random.nextInt(allocated.size());
                    final int slot = allocated.get(at);
                    area.freeSlot(slot);
                    allocated.set(at, allocated.getLast());
                    allocated.removeLast();
                    model.remove(slot);
                }
                else if (dice < 220)
                {
                    final int slot = allocated.get(random.nextInt(allocated.size()));
                    area.invalidatePage(slot);
                    model.remove(slot);
                }
                else if (dice < 600)
                {
                    final int slot = allocated.get(random.nextInt(allocated.size()));
                    final long tag = nextTag++;
                    Pages.fill(page, tag);
                    area.store(slot, page);
                    stores++;
                    model.put(slot, tag);
                }
                else
                {
                    final int slot = allocated.get(random.nextInt(allocated.size()));
                    final Long tag = model.get(slot);
                    final boolean loaded = area.load(slot, dst);
                    if (tag == null)
                    {
                        if (loaded)
                        {
                            fail(context + " op " + op + ": slot " + slot + " holds nothing but load returned a page");
                        }
                    }
                    else
                    {
                        pagesLoaded++;
                        if (!loaded || !Pages.matches(dst, tag))
                        {
                            fail(context + " op " + op + ": slot " + slot + " should hold page " + tag + ", loaded="
                                + loaded);
                        }
                        if (exclusive)
                        {
                            model.remove(slot);
                        }
                    }
                }
                if ((op & 1023) == 0)
                {
                    checkInvariants(area, backend, registry, context + " op " + op);
                }
            }
            checkInvariants(area, backend, registry, context + " end");
            final long[] counters = sample(frontswap);
            // loads, file_loads, succ_stores, failed_stores, skipped_stores
            assertEquals(stores, counters[2] + counters[3] + counters[4], context + ": stores add up");
            assertEquals(pagesLoaded, counters[0] + counters[1], context + ": loads add up");
            assertTrue(counters[2] > 0 && counters[3] > 0 && counters[4] > 0 && counters[0] > 0 && counters[1] > 0,
                context + ": every path was taken " + java.util.Arrays.toString(counters));
            // every page the model holds is still there, through one last unregistration
            registry.unregister();
            for (final Map.Entry<Integer, Long> entry : model.entrySet())
            {
                assertTrue(area.load(entry.getKey(), dst) && Pages.matches(dst, entry.getValue()), context);
            }
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError(context + " failed at op " + op + ": " + ex, ex);
        }
    }

    private static long[] sample(final Frontswap frontswap)
    {
        final var source = frontswap.counters();
        final long[] values = new long[source.counterNames().size()];
        source.sample(values);
        assertEquals(List.of("loads", "file_loads", "succ_stores", "failed_stores", "skipped_stores"),
            source.counterNames().subList(0, 5));
        return values;
    }

    private static void checkInvariants(final SwapArea area, final MapBackend backend, final BackendRegistry registry,
        final String context)
    {
        int inBackend = 0;
        for (int slot = 0; slot < SLOTS; slot++)
        {
            inBackend += area.isInBackend(slot) ? 1 : 0;
        }
        assertEquals(inBackend, area.currPages(), context + ": curr_pages equals the bitmap");
        assertEquals(registry.backend() == null ? 0 : inBackend, backend.usedPages(),
            context + ": the backend holds exactly the pages whose bit is set");
    }

    @org.junit.jupiter.api.Test
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
