package org.tmem4j.hardening;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frontswap over the zcache backend while the backend is unregistered and registered again under traffic, its
 * allocator refuses, and its budget is far below the working set: every page a store accepted must load back
 * bit-exact, from the backend or from the swap file, and the page memory must never exceed the budget. Threads own
 * disjoint slots, so each keeps an exact model of what its slots hold.
 */
final class FrontswapUnderFaultsTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", 20261202L);
    private static final int THREADS = 3;
    private static final int SLOTS_PER_THREAD = 512;
    private static final int OPS_PER_THREAD = 25_000;
    private static final long BUDGET = 1L << 20;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zbud", "zsmalloc"})
    void backendUnregisteredRefusingAndOverBudgetWhileThreadsStoreAndLoad(final String allocator) throws Exception
    {
        final FaultTally tally = new FaultTally("frontswap-" + allocator);
        final FrontendsConfig config = FrontendsConfig.builder()
            .allocator(FaultInjectingAllocatorProvider.faulty(allocator))
            .budgetBytes(BUDGET)
            .checksum(true)
            .build();
        final BackendRegistry registry = new BackendRegistry();
        try (Frontswap frontswap = Frontswap.create(registry, config))
        {
            final SwapArea area = frontswap.swapOn(dir.resolve("swap"), THREADS * SLOTS_PER_THREAD);
            for (int i = 0; i < THREADS * SLOTS_PER_THREAD; i++)
            {
                assertEquals(i, area.allocateSlot());
            }
            registry.register("zcache", config);
            final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            final AtomicBoolean done = new AtomicBoolean();
            final long[][] versions = new long[THREADS][SLOTS_PER_THREAD];
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                workers.add(Thread.ofPlatform().name("frontswap-" + t).start(() ->
                    storeAndLoad(area, thread, versions[thread], tally, failures)));
            }
            final Thread faults = Thread.ofPlatform().name("faults").start(() ->
                injectFaults(registry, config, allocator, done, tally, failures));
            for (final Thread worker : workers)
            {
                worker.join();
            }
            done.set(true);
            faults.join();
            assertTrue(failures.isEmpty(), () -> failures.size() + " failures (seed " + SEED + "), first: "
                + failures.peek());

            if (registry.backend() == null)
            {
                registry.register("zcache", config);
            }
            checkEverySlot(area, versions, "after the traffic, backend registered", tally);
            registry.unregister();
            checkEverySlot(area, versions, "after unregistration, all from the file", tally);
            final Map<String, Long> counters = CounterSample.of(frontswap.counters());
            System.out.println("FAULT frontswap-" + allocator + " counters " + counters);
            assertEquals(0, counters.get("curr_pages"), "pages left in a backend that is gone");
            assertTrue(counters.get("loads") > 0, "no load was served by the backend: the faults hid it entirely");
            assertTrue(counters.get("file_loads") > 0, "no load came from the file: no fault was felt");
        }
        tally.print();
    }

    private static void storeAndLoad(final SwapArea area, final int thread, final long[] versions,
        final FaultTally tally, final ConcurrentLinkedQueue<String> failures)
    {
        final SplittableRandom random = new SplittableRandom(SEED + thread);
        long nextVersion = ((long)thread << 40) + 1;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE, 4096);
            final MemorySegment dst = arena.allocate(SwapArea.PAGE_SIZE, 4096);
            final MemorySegment expected = arena.allocate(SwapArea.PAGE_SIZE, 4096);
            for (int op = 0; op < OPS_PER_THREAD && failures.size() < 20; op++)
            {
                final int index = random.nextInt(SLOTS_PER_THREAD);
                final int slot = thread * SLOTS_PER_THREAD + index;
                final int kind = random.nextInt(100);
                if (kind < 55)
                {
                    final long version = nextVersion++;
                    VersionedPage.fill(page, SwapArea.PAGE_SIZE, slot, version);
                    tally.add(area.store(slot, page) ? "store in backend" : "store in file");
                    versions[index] = version;
                }
                else if (kind < 95)
                {
                    final boolean held = area.load(slot, dst);
                    if (held != (versions[index] != 0))
                    {
                        failures.add("slot " + slot + ": load answered " + held + " but the slot "
                            + (versions[index] != 0 ? "holds version " + versions[index] : "is empty"));
                    }
                    else if (held)
                    {
                        final long at = VersionedPage.mismatch(dst, expected, SwapArea.PAGE_SIZE, slot,
                            versions[index]);
                        if (at >= 0)
                        {
                            failures.add("slot " + slot + ": loaded wrong bytes from offset " + at + " (version "
                                + versions[index] + ")");
                        }
                        tally.add("load exact");
                    }
                    else
                    {
                        tally.add("load of an empty slot");
                    }
                }
                else
                {
                    area.invalidatePage(slot);
                    versions[index] = 0;
                    tally.add("invalidate");
                }
            }
        }
        catch (final RuntimeException | Error ex)
        {
            failures.add("thread " + thread + " died: " + ex);
            ex.printStackTrace();
        }
    }

    /** Cycles: backend gone, back with a refusing allocator, back with a healthy one; over and over. */
    private static void injectFaults(final BackendRegistry registry, final FrontendsConfig config,
        final String allocator, final AtomicBoolean done, final FaultTally tally,
        final ConcurrentLinkedQueue<String> failures)
    {
        final SplittableRandom random = new SplittableRandom(SEED ^ 0x5EED);
        try
        {
            while (!done.get())
            {
                pause(random, 20, 40);
                registry.unregister();
                tally.add("backend unregistered under traffic");
                pause(random, 2, 8);
                registry.register("zcache", config);
                tally.add("backend registered under traffic");
                final FaultInjectingAllocator faulty = FaultInjectingAllocatorProvider.last(allocator);
                faulty.refuse(random.nextInt(4) == 0 ? 1024 : random.nextInt(512));
                pause(random, 5, 20);
                checkBudget(faulty, failures);
                faulty.refuse(0);
                tally.add("allocator refusals", faulty.refused());
            }
        }
        catch (final RuntimeException | Error ex)
        {
            failures.add("fault injector died: " + ex);
            ex.printStackTrace();
        }
    }

    private static void checkBudget(final FaultInjectingAllocator faulty, final ConcurrentLinkedQueue<String> failures)
    {
        final long reserved = faulty.memory().stats().reservedBytes();
        if (reserved > BUDGET)
        {
            failures.add("page memory holds " + reserved + " bytes, over the budget of " + BUDGET);
        }
    }

    private static void pause(final SplittableRandom random, final int minMillis, final int spanMillis)
    {
        try
        {
            Thread.sleep(minMillis + random.nextInt(spanMillis));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void checkEverySlot(final SwapArea area, final long[][] versions, final String when,
        final FaultTally tally)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment dst = arena.allocate(SwapArea.PAGE_SIZE, 4096);
            final MemorySegment expected = arena.allocate(SwapArea.PAGE_SIZE, 4096);
            for (int thread = 0; thread < versions.length; thread++)
            {
                for (int index = 0; index < SLOTS_PER_THREAD; index++)
                {
                    final int slot = thread * SLOTS_PER_THREAD + index;
                    final long version = versions[thread][index];
                    assertEquals(version != 0, area.load(slot, dst), when + ": slot " + slot + " holds version "
                        + version);
                    if (version != 0)
                    {
                        assertEquals(-1, VersionedPage.mismatch(dst, expected, SwapArea.PAGE_SIZE, slot, version),
                            when + ": slot " + slot + " loaded wrong bytes");
                    }
                }
            }
        }
        tally.add("final slots checked (" + when + ")", (long)versions.length * SLOTS_PER_THREAD);
    }
}
