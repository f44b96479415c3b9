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
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.FaultyBackend;
import org.tmem4j.frontend.Pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The frontswap model contract, run against each backend: random operations on one swap area against a model (slot -> page tag), with the backend registered and
 * unregistered, full, refusing and throwing along the way: every load returns exactly the last page stored, and
 * the bitmap, curr_pages, the backend's page count and the counters agree after every step.
 */
public abstract class FrontswapModelContract
{
    /**
     * @param budgetPages roughly how many pages the backend may hold.
     * @return a fresh backend.
     */
    protected abstract Backend newBackend(long budgetPages);

    /**
     * @return how many pages the backend holds now.
     */
    protected abstract long pagesHeld(Backend backend);

    /**
     * @return the operations of the main configuration; the three others run an eighth of it.
     */
    protected int ops()
    {
        return OPS;
    }

    protected static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    protected static final int OPS = Integer.getInteger("tmem4j.ops", 1_000_000);
    private static final int SLOTS = 700;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "exclusiveGets={0} writethrough={1} ops/{2}")
    @CsvSource({"false, false, 1", "true, false, 8", "false, true, 8", "true, true, 8"})
    void matchesTheModel(final boolean exclusive, final boolean writethrough, final int divisor)
    {
        final FaultyBackend backend = new FaultyBackend(newBackend(150));
        final long seed = SEED ^ (exclusive ? 1 : 0) ^ (writethrough ? 2 : 0);
        final String context = "seed " + seed + " (-Dtmem4j.seed=" + SEED + ")";
        final SplittableRandom random = new SplittableRandom(seed);
        final BackendRegistry registry = new BackendRegistry();
        final FrontendsConfig config = FrontendsConfig.builder().exclusiveGets(exclusive).writethrough(writethrough)
            .build();
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
            final int ops = ops() / divisor;
            for (op = 0; op < ops; op++)
            {
                final int dice = random.nextInt(1000);
                // besides the random toggles, every run registers at the start, unregisters at a third and
                // registers again at two thirds, so every path is taken even in a short run
                final boolean registered = registry.backend() != null;
                final boolean toggle = op == 0 && !registered || op == ops / 3 && registered
                    || op == 2 * ops / 3 && !registered;
                if (toggle || dice < 1 && random.nextInt(2) == 0)
                {
                    if (registry.backend() == null)
                    {
                        registry.register(backend);
                    }
                    else
                    {
                        registry.unregister();
                        assertEquals(0, area.currPages(), context);
                        assertEquals(0, pagesHeld(backend.backend()), context);
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
        final long[] values = new long[source.descriptions().size()];
        source.sample(values);
        assertEquals(List.of("loads", "file_loads", "succ_stores", "failed_stores", "skipped_stores"),
            source.descriptions().subList(0, 5).stream().map(d -> d.name()).toList());
        return values;
    }

    private void checkInvariants(final SwapArea area, final FaultyBackend backend, final BackendRegistry registry,
        final String context)
    {
        int inBackend = 0;
        for (int slot = 0; slot < SLOTS; slot++)
        {
            inBackend += area.isInBackend(slot) ? 1 : 0;
        }
        assertEquals(inBackend, area.currPages(), context + ": curr_pages equals the bitmap");
        assertEquals(registry.backend() == null ? 0 : inBackend, pagesHeld(backend.backend()),
            context + ": the backend holds exactly the pages whose bit is set");
    }
}
