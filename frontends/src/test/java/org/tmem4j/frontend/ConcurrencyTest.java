package org.tmem4j.frontend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;
import org.tmem4j.stats.CounterSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traffic on several threads through cleancache and frontswap while backends register and unregister and
 * frontswap shrinks: every load returns exactly the bytes stored, every cleancache hit is the page put, and the
 * counters add up.
 */
class ConcurrencyTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int THREADS = 4;
    private static final int OPS_PER_THREAD = 25_000;
    private static final int SLOTS_PER_THREAD = 200;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"map", "zcache/zbud", "zcache/zsmalloc"})
    void trafficWhileBackendsComeAndGo(final String backendName) throws Exception
    {
        final String context = backendName + " -Dtmem4j.seed=" + SEED;
        final String provider = backendName.contains("/") ? backendName.substring(0, backendName.indexOf('/'))
            : backendName;
        final String allocator = backendName.contains("/") ? backendName.substring(backendName.indexOf('/') + 1)
            : null;
        final BackendRegistry registry = new BackendRegistry();
        final Cleancache cleancache = Cleancache.create(registry, FrontendsConfig.defaults());
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final AtomicLong stores = new AtomicLong();
        final AtomicLong loads = new AtomicLong();
        final AtomicLong gets = new AtomicLong();
        final AtomicLong puts = new AtomicLong();
        final AtomicInteger cycles = new AtomicInteger();
        try (Frontswap frontswap = Frontswap.create(registry, FrontendsConfig.defaults()))
        {
            final SwapArea area = frontswap.swapOn(dir.resolve("c.swap"), THREADS * SLOTS_PER_THREAD);
            final CleancacheFs fs = cleancache.initFs();
            final AtomicBoolean done = new AtomicBoolean();
            final Thread churn = Thread.ofPlatform().start(() ->
            {
                final SplittableRandom random = new SplittableRandom(SEED);
                try
                {
                    while (!done.get())
                    {
                        final FrontendsConfig.Builder config = FrontendsConfig.builder()
                            .budgetBytes((300L + random.nextInt(300)) * 4096);
                        if (allocator != null)
                        {
                            config.allocator(allocator);
                        }
                        final Backend backend = registry.register(provider, config.build());
                        Thread.sleep(random.nextInt(3));
                        if (random.nextBoolean())
                        {
                            area.shrink(random.nextInt(200));
                        }
                        registry.unregister();
                        cycles.incrementAndGet();
                        if (backend instanceof MapBackend map)
                        {
                            assertEquals(0, map.usedPages(), "a leaving backend keeps no page");
                            assertEquals(0, map.livePools(), "a leaving backend keeps no pool");
                        }
                        Thread.sleep(random.nextInt(2));
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            });
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int id = t;
                workers.add(Thread.ofPlatform().start(() ->
                {
                    try (Arena arena = Arena.ofConfined())
                    {
                        work(id, area, fs, arena, () -> cycles.get() >= 3 && storedBothWays(frontswap), stores,
                            loads, gets, puts);
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(new AssertionError(context + " thread " + id + ": " + ex, ex));
                    }
                }));
            }
            for (final Thread worker : workers)
            {
                worker.join();
            }
            done.set(true);
            churn.join();
            assertTrue(failures.isEmpty(), context + ": " + failures);

            final long[] swap = sample(frontswap.counters());
            // loads, file_loads, succ_stores, failed_stores, skipped_stores
            assertEquals(stores.get(), swap[2] + swap[3] + swap[4], context + ": every store counted once");
            assertEquals(loads.get(), swap[0] + swap[1], context + ": every load counted once");
            assertTrue(swap[2] > 0 && swap[4] > 0, context + ": stores went both to backends and files");
            final long[] clean = sample(cleancache.counters());
            // succ_gets, failed_gets, puts
            assertEquals(gets.get(), clean[0] + clean[1], context + ": every get counted once");
            assertEquals(puts.get(), clean[2], context + ": every put counted once");
        }
        finally
        {
            registry.unregister();
        }
    }

    private static void work(final int id, final SwapArea area, final CleancacheFs fs, final Arena arena,
        final BooleanSupplier churnSeen, final AtomicLong stores, final AtomicLong loads, final AtomicLong gets,
        final AtomicLong puts)
    {
        final SplittableRandom random = new SplittableRandom(SEED + id);
        final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
        final MemorySegment dst = arena.allocate(SwapArea.PAGE_SIZE);
        final int[] slots = new int[SLOTS_PER_THREAD];
        final long[] tags = new long[SLOTS_PER_THREAD];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = area.allocateSlot();
        }
        final long[] cleanTags = new long[64];
        long nextTag = ((long)id << 40) + 1;
        // at least three backends come and go under the traffic, and stores meet both a backend and none, however
        // the threads are scheduled
        for (int op = 0; op < OPS_PER_THREAD || !churnSeen.getAsBoolean(); op++)
        {
            final int dice = random.nextInt(10);
            final int i = random.nextInt(slots.length);
            if (dice < 4)
            {
                final long tag = nextTag++;
                Pages.fill(page, tag);
                area.store(slots[i], page);
                tags[i] = tag;
                stores.incrementAndGet();
            }
            else if (dice < 8)
            {
                if (tags[i] != 0)
                {
                    if (!area.load(slots[i], dst) || !Pages.matches(dst, tags[i]))
                    {
                        throw new AssertionError("op " + op + ": slot " + slots[i] + " did not return page "
                            + tags[i]);
                    }
                    loads.incrementAndGet();
                }
            }
            else
            {
                // cleancache: each thread has its own file key, so a hit must be exactly its last put
                final int index = i & 63;
                final FileKey key = new FileKey(id, 0, 7);
                if (dice == 8)
                {
                    final long tag = nextTag++;
                    Pages.fill(page, tag);
                    fs.putPage(key, index, page);
                    cleanTags[index] = tag;
                    puts.incrementAndGet();
                }
                else
                {
                    gets.incrementAndGet();
                    if (fs.getPage(key, index, dst))
                    {
                        if (!Pages.matches(dst, cleanTags[index]))
                        {
                            throw new AssertionError("op " + op + ": cleancache hit on page " + index
                                + " is not the page put last");
                        }
                        // the get was exclusive: the page is gone until put again
                        cleanTags[index] = -1;
                    }
                }
            }
        }
        for (int i = 0; i < slots.length; i++)
        {
            if (tags[i] != 0 && (!area.load(slots[i], dst) || !Pages.matches(dst, tags[i])))
            {
                throw new AssertionError("final check: slot " + slots[i] + " lost page " + tags[i]);
            }
            if (tags[i] != 0)
            {
                loads.incrementAndGet();
            }
        }
    }

    /** {@return whether some stores went to a backend and some found none registered} */
    private static boolean storedBothWays(final Frontswap frontswap)
    {
        final long[] swap = sample(frontswap.counters());
        return swap[2] > 0 && swap[4] > 0;
    }

    private static long[] sample(final CounterSource source)
    {
        final long[] values = new long[source.descriptions().size()];
        source.sample(values);
        return values;
    }
}
