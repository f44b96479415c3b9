package org.tmem4j.hardening;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

import org.tmem4j.memory.PageMemory;
import org.tmem4j.memory.PageMemoryStats;

/**
 * Watches a page memory from its own thread while traffic runs: the bytes mapped from the OS must stay within the
 * budget, and when the budget is lowered below what is mapped, they may stay above it for a while (pages in use
 * are not taken back) but must never grow while above it. Each sample is one consistent {@link PageMemoryStats}.
 */
final class BudgetWatch
{
    private static final long PERIOD_NANOS = 200_000;

    private final PageMemory memory;
    private final Thread thread;
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private volatile boolean stopped;
    private long samples;
    private long maxReserved;
    private long samplesOverBudget;

    BudgetWatch(final PageMemory memory)
    {
        this.memory = memory;
        this.thread = Thread.ofPlatform().name("budget-watch").daemon().start(this::watch);
    }

    private void watch()
    {
        long previous = 0;
        while (!stopped && !memory.isClosed())
        {
            final PageMemoryStats stats;
            try
            {
                stats = memory.stats();
            }
            catch (final IllegalStateException ex)
            {
                return;
            }
            samples++;
            maxReserved = Math.max(maxReserved, stats.reservedBytes());
            if (stats.reservedBytes() > stats.budgetBytes())
            {
                samplesOverBudget++;
                if (stats.reservedBytes() > previous && violations.size() < 10)
                {
                    violations.add("page memory grew to " + stats.reservedBytes() + " bytes (from " + previous
                        + ") while over its budget of " + stats.budgetBytes());
                }
            }
            previous = stats.reservedBytes();
            LockSupport.parkNanos(PERIOD_NANOS);
        }
    }

    /**
     * Stops watching.
     *
     * @return what was seen: samples, the most bytes mapped, samples over a lowered budget, and any violation.
     */
    Report stop() throws InterruptedException
    {
        stopped = true;
        thread.join();
        return new Report(samples, maxReserved, samplesOverBudget, List.copyOf(violations));
    }

    /**
     * @param samples           stats snapshots taken.
     * @param maxReserved       the most bytes mapped in any of them.
     * @param samplesOverBudget snapshots with more mapped than the budget of the moment (after a lowering).
     * @param violations        growth while over the budget (empty when the budget held).
     */
    record Report(long samples, long maxReserved, long samplesOverBudget, List<String> violations)
    {
    }
}
