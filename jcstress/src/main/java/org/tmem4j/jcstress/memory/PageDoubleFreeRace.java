package org.tmem4j.jcstress.memory;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZZ_Result;
import org.tmem4j.memory.PageMemory;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two threads free the same page at once, without any lock in common (each frees into its own CPU's cache): the
 * free mark the page memory sets in the page with one atomic exchange lets exactly one succeed and rejects the other
 * as a double free, and the page is free afterwards. Two successes would put the page in two caches, to be handed to
 * two owners.
 * <p>
 * Each state has a page memory of its own (one 64 KiB slab, per-CPU caches of four pages), closed by the arbiter:
 * jcstress builds the next states while other states' arbiters are still to run, and with one page memory shared by
 * all states a new state could take the very page freed here before this arbiter looked, which read as "still
 * allocated".
 */
@JCStressTest
@Outcome(id = {"true, false, false", "false, true, false"}, expect = ACCEPTABLE,
    desc = "one free succeeds, the other is a double free")
@Outcome(id = "true, true, .*", expect = FORBIDDEN, desc = "both frees succeeded: the page is cached twice")
@Outcome(id = "false, false, .*", expect = FORBIDDEN, desc = "neither free succeeded: the page leaked")
@Outcome(id = ".*, .*, true", expect = FORBIDDEN, desc = "the page is still marked allocated")
@State
public class PageDoubleFreeRace
{
    private final PageMemory memory = SharedPageMemory.ofOneSlab();
    private final int page = memory.allocate();

    @Actor
    public void freeFirst(final ZZZ_Result r)
    {
        r.r1 = free();
    }

    @Actor
    public void freeSecond(final ZZZ_Result r)
    {
        r.r2 = free();
    }

    @Arbiter
    public void check(final ZZZ_Result r)
    {
        r.r3 = memory.isAllocated(page);
        memory.close();
    }

    private boolean free()
    {
        try
        {
            memory.free(page);
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }
}
