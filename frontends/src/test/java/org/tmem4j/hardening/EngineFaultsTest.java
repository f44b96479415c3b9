package org.tmem4j.hardening;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.LongConsumer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine under faults, on many threads, every answer checked ({@link CheckedTraffic}): persistent pages come
 * back bit-exact or their put reported failure, ephemeral pages hit bit-exact or miss, and the page memory never
 * grows past its budget ({@link BudgetWatch}). Each fault is injected mid-traffic and what was tried is counted and
 * printed (lines starting with {@code FAULT}).
 * <ul>
 *   <li>budget exhaustion: a working set several times the budget;</li>
 *   <li>an allocator that refuses: some, then all, then no allocations fail as a full pool's would;</li>
 *   <li>the budget lowered at run time, twice, then raised.</li>
 * </ul>
 * The seed is printed in every failure; set it with {@code -Dtmem4j.seed=N}.
 */
final class EngineFaultsTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int THREADS = 3;
    private static final int OBJECTS = 8;
    private static final int INDEXES = 128;
    private static final long OPS = 90_000;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zbud", "zsmalloc"})
    void budgetExhaustedMidTraffic(final String allocator) throws Exception
    {
        final FaultTally tally = new FaultTally("budget-exhausted-" + allocator);
        final long budget = 1L << 20;
        try (Zcache zcache = engine(allocator, budget))
        {
            final ZcacheStats stats = runTraffic(zcache, allocator, tally, total -> { });
            assertTrue(tally.count("put failed (" + Zcache.NO_MEMORY + ")") > 0,
                "the working set never exhausted the budget, so nothing was tested: " + stats);
            assertTrue(stats.evictions() > 0, "no ephemeral page was evicted at the budget: " + stats);
            tally.add("evictions", stats.evictions());
        }
        tally.print();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zbud", "zsmalloc"})
    void allocatorRefusesMidTraffic(final String allocator) throws Exception
    {
        final FaultTally tally = new FaultTally("allocator-refuses-" + allocator);
        try (Zcache zcache = engine(allocator, 64L << 20))
        {
            final FaultInjectingAllocator faulty = FaultInjectingAllocatorProvider.last(allocator);
            final ZcacheStats stats = runTraffic(zcache, allocator, tally, total ->
            {
                awaitThen(total / 5, () -> faulty.refuse(256));
                awaitThen(total / 2, () -> faulty.refuse(1024));
                awaitThen(total * 7 / 10, () -> faulty.refuse(0));
            });
            assertTrue(faulty.refused() > 0, "the allocator never refused");
            tally.add("allocations refused", faulty.refused());
            assertTrue(stats.failedPutsNoMemory() > 0, "no put reported the refusals: " + stats);
        }
        tally.print();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zbud", "zsmalloc"})
    void budgetLoweredAtRunTime(final String allocator) throws Exception
    {
        final FaultTally tally = new FaultTally("budget-lowered-" + allocator);
        try (Zcache zcache = engine(allocator, 16L << 20))
        {
            final FaultInjectingAllocator faulty = FaultInjectingAllocatorProvider.last(allocator);
            runTraffic(zcache, allocator, tally, total ->
            {
                awaitThen(total / 4, () -> lower(zcache, faulty, 2L << 20, tally));
                awaitThen(total / 2, () -> lower(zcache, faulty, 512L << 10, tally));
                awaitThen(total * 3 / 4, () ->
                {
                    zcache.budgetBytes(8L << 20);
                    tally.add("budget raised");
                });
            });
        }
        tally.print();
    }

    private CheckedTraffic traffic;

    private ZcacheStats runTraffic(final Zcache zcache, final String allocator, final FaultTally tally,
        final LongConsumer script) throws Exception
    {
        final int ephemeral = zcache.createPool(PoolKind.EPHEMERAL, 4096);
        final int persistent = zcache.createPool(PoolKind.PERSISTENT, 4096);
        final PageStore store = new EngineStore(zcache);
        traffic = new CheckedTraffic(store, new int[] {ephemeral, persistent}, new boolean[] {false, true}, 4096,
            THREADS, OBJECTS, INDEXES, SEED, tally);
        final BudgetWatch watch = new BudgetWatch(FaultInjectingAllocatorProvider.last(allocator).memory());
        final List<String> failures = traffic.run(OPS, script);
        final BudgetWatch.Report budget = watch.stop();
        tally.add("budget samples", budget.samples());
        tally.add("budget samples above a just-lowered budget", budget.samplesOverBudget());
        assertTrue(failures.isEmpty(), () -> failures.size() + " wrong answers (seed " + SEED + "), first: "
            + failures.getFirst());
        assertTrue(budget.violations().isEmpty(), () -> "budget exceeded: " + budget.violations());
        final ZcacheStats stats = zcache.stats();
        assertEquals(stats.puts(), tally.count("put stored") + failedPuts(tally), "puts counted by the engine "
            + "differ from puts made");
        return stats;
    }

    private static long failedPuts(final FaultTally tally)
    {
        return tally.count("put failed (" + Zcache.NO_MEMORY + ")")
            + tally.count("put failed (" + Zcache.POOR_COMPRESSION + ")");
    }

    private void awaitThen(final long ops, final Runnable fault)
    {
        traffic.awaitOps(ops);
        fault.run();
    }

    private static void lower(final Zcache zcache, final FaultInjectingAllocator faulty, final long budget,
        final FaultTally tally)
    {
        zcache.budgetBytes(budget);
        tally.add("budget lowered");
        final long inUse = faulty.memory().stats().bytesInUse();
        if (inUse > budget)
        {
            // only persistent pages may hold memory above a lowered budget: count how often that happened
            tally.add("lowered below the persistent pages in use");
        }
    }

    static Zcache engine(final String allocator, final long budget)
    {
        return Zcache.builder()
            .allocator(FaultInjectingAllocatorProvider.faulty(allocator))
            .codec("lz4")
            .budgetBytes(budget)
            .checksum(true)
            .compressorSlots(2)
            .build();
    }

    /** The engine as the traffic's page store. */
    record EngineStore(Zcache zcache) implements PageStore
    {
        @Override
        public int put(final int pool, final long a, final long b, final long c, final int index,
            final MemorySegment page)
        {
            return zcache.put(pool, a, b, c, index, page);
        }

        @Override
        public boolean get(final int pool, final long a, final long b, final long c, final int index,
            final MemorySegment dst)
        {
            return zcache.get(pool, a, b, c, index, dst);
        }

        @Override
        public boolean flushPage(final int pool, final long a, final long b, final long c, final int index)
        {
            return zcache.flushPage(pool, a, b, c, index);
        }

        @Override
        public int flushObject(final int pool, final long a, final long b, final long c)
        {
            return zcache.flushObject(pool, a, b, c);
        }
    }
}
