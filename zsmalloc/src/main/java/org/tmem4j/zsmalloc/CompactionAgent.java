package org.tmem4j.zsmalloc;

import java.time.Duration;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * Background compaction: an Agrona {@link Agent} that compacts a {@link Zsmalloc} whenever the pages compaction
 * could give back reach a threshold, the role the kernel gives its shrinker.
 * <p>
 * Each duty cycle reads the class table's {@code freeable} total (one short lock per class) and, at or above the
 * threshold, runs {@link Zsmalloc#compact()}. Run it with {@link #start}, or on any {@link AgentRunner} or
 * {@link org.agrona.concurrent.AgentInvoker}. The agent stops by itself once the allocator is closed.
 */
public final class CompactionAgent implements Agent
{
    private final Zsmalloc allocator;
    private final double thresholdPages;
    private volatile long compactions;
    private volatile long pagesFreed;

    /**
     * Creates an agent that compacts {@code allocator} whenever it has {@code thresholdPages} freeable pages.
     *
     * @param allocator      the allocator to compact.
     * @param thresholdPages freeable pages that trigger a compaction, ≥ 1.
     */
    public CompactionAgent(final Zsmalloc allocator, final long thresholdPages)
    {
        if (thresholdPages < 1)
        {
            throw new IllegalArgumentException("thresholdPages must be >= 1, was " + thresholdPages);
        }
        this.allocator = allocator;
        this.thresholdPages = thresholdPages;
    }

    /**
     * Starts an agent on its own daemon thread, checking every {@code interval}.
     *
     * @param allocator      the allocator to compact.
     * @param thresholdPages freeable pages that trigger a compaction.
     * @param interval       how long to sleep when there is nothing to do, at least 1 ms.
     * @param errorHandler   where failures of a duty cycle go.
     * @return the running runner; close it to stop the agent.
     */
    public static AgentRunner start(final Zsmalloc allocator, final long thresholdPages, final Duration interval,
        final ErrorHandler errorHandler)
    {
        final long millis = interval.toMillis();
        if (millis < 1)
        {
            throw new IllegalArgumentException("interval must be at least 1 ms, was " + interval);
        }
        final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(millis), errorHandler, null,
            new CompactionAgent(allocator, thresholdPages));
        AgentRunner.startOnThread(runner, r ->
        {
            final Thread thread = new Thread(r);
            thread.setDaemon(true);
            return thread;
        });
        return runner;
    }

    @Override
    public int doWork()
    {
        if (allocator.isClosed())
        {
            throw new org.agrona.concurrent.AgentTerminationException("allocator closed");
        }
        if (allocator.classStats().freeable() < thresholdPages)
        {
            return 0;
        }
        final long freed = allocator.compact();
        compactions++;
        pagesFreed += freed;
        return (int)Math.min(Integer.MAX_VALUE, Math.max(1, freed));
    }

    @Override
    public String roleName()
    {
        return "zsmalloc-compaction";
    }

    /**
     * {@return compactions this agent has run}
     */
    public long compactions()
    {
        return compactions;
    }

    /**
     * {@return pages those compactions gave back}
     */
    public long pagesFreed()
    {
        return pagesFreed;
    }
}
