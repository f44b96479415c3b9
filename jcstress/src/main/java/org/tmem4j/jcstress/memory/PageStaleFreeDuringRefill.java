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
 * A stale free of a page id races the first allocation of a fresh page memory, which fills its CPU's cache from a
 * fresh slab (pages 0 and 1: the allocation gets page 1, and page 0 stays in the cache). Page 0 is never the
 * freeing thread's, so its free must be refused whenever it comes: before the page is out of its slab, and after,
 * when it carries the free mark. A page out of its slab before it carries the mark (a fresh page's first word is 0)
 * would be taken by the free and end up in two caches at once.
 * <p>
 * Each state has a page memory of its own, closed by the arbiter, as in {@link PageDoubleFreeRace}.
 */
@JCStressTest
@Outcome(id = "false, true", expect = ACCEPTABLE, desc = "the stale free is refused, page 0 stays cached")
@Outcome(id = "true, .*", expect = FORBIDDEN, desc = "the stale free took a page on its way to a cache")
@Outcome(id = "false, false", expect = FORBIDDEN, desc = "page 0 is not cached after the allocation")
@State
public class PageStaleFreeDuringRefill
{
    private final PageMemory memory = SharedPageMemory.ofOneSlab();

    @Actor
    public void allocate()
    {
        memory.allocate();
    }

    @Actor
    public void staleFree(final ZZ_Result r)
    {
        try
        {
            memory.free(0);
            r.r1 = true;
        }
        catch (final IllegalArgumentException ex)
        {
            r.r1 = false;
        }
    }

    @Arbiter
    public void check(final ZZ_Result r)
    {
        // two pages out of the slab, one of them with the allocating thread: page 0 is the cached one
        r.r2 = memory.stats().pagesInUse() == 1 && !memory.isAllocated(0);
        memory.close();
    }
}
