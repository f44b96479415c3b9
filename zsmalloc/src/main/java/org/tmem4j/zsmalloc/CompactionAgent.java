package org.tmem4j.zsmalloc;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.tmem4j.alloc.CompactionPolicy;

/**
 * Background compaction by policy: an Agrona {@link Agent} that compacts a {@link Zsmalloc} whenever the pages
 * compaction could give back reach the {@link CompactionPolicy}'s share of the pages held, the role the kernel gives
 * zsmalloc's shrinker. A {@link Zsmalloc} built with a policy that is on runs one on its own daemon thread and stops
 * it when closed.
 * <p>
 * Each duty cycle reads the class table's {@code freeable} total (one short lock per class shard) and, when the
 * policy says so, runs {@link Zsmalloc#compact()}. The agent ends by itself once the allocator is closed.
 */
final class CompactionAgent implements Agent
{
    private final Zsmalloc allocator;
    private final CompactionPolicy policy;
    private volatile long compactions;
    private volatile long pagesFreed;

    /**
     * @param allocator the allocator to compact.
     * @param policy    when to compact; must be on.
     */
    CompactionAgent(final Zsmalloc allocator, final CompactionPolicy policy)
    {
        if (!policy.enabled())
        {
            throw new IllegalArgumentException("policy must be on (freeablePercent > 0), was " + policy);
        }
        this.allocator = allocator;
        this.policy = policy;
    }

    @Override
    public int doWork()
    {
        if (allocator.isClosed())
        {
            throw new AgentTerminationException("allocator closed");
        }
        final ZsmallocStats stats = allocator.classStats();
        if (!policy.shouldCompact(stats.freeable(), stats.pagesUsed()))
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
     * @return compactions this agent has run.
     */
    long compactions()
    {
        return compactions;
    }

    /**
     * @return pages those compactions gave back.
     */
    long pagesFreed()
    {
        return pagesFreed;
    }
}
