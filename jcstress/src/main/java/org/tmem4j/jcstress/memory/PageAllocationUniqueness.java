package org.tmem4j.jcstress.memory;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;
import org.tmem4j.memory.PageMemory;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two threads allocate a page at the same time, through per-CPU caches that refill from and spill to the slabs:
 * they get two distinct pages, each allocated. A page handed out twice would let two allocators pack objects over
 * each other.
 */
@JCStressTest
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "two distinct pages, both allocated")
@Outcome(id = "false, .*", expect = FORBIDDEN, desc = "the same page handed to both threads")
@Outcome(id = "true, false", expect = FORBIDDEN, desc = "a page handed out is not marked allocated")
@State
public class PageAllocationUniqueness
{
    private int first = PageMemory.NO_PAGE;
    private int second = PageMemory.NO_PAGE;

    @Actor
    public void allocateFirst()
    {
        first = SharedPageMemory.CACHED.allocate();
    }

    @Actor
    public void allocateSecond()
    {
        second = SharedPageMemory.CACHED.allocate();
    }

    @Arbiter
    public void check(final ZZ_Result r)
    {
        final PageMemory memory = SharedPageMemory.CACHED;
        r.r1 = first != second;
        r.r2 = memory.isAllocated(first) && memory.isAllocated(second);
        memory.free(first);
        if (second != first)
        {
            memory.free(second);
        }
    }
}
