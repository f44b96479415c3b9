package org.tmem4j.zcache;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A shared get pins the value it finds under the page's lock and reads it after the lock; an overwrite takes the
 * value out under the same lock and frees it, or hands the free to the reader still pinning it. The reader must never
 * find the value freed while it reads, and the value must be freed exactly once, by one of the two. (In package
 * {@code org.tmem4j.zcache}, where the engine's {@link ReadPins} lives.)
 * <p>
 * r1: 1 if the reader read the value alive, -1 if it came after the overwrite (nothing to read), 0 if it read a
 * freed value; r2: 1 if the reader freed it; r3: how many times it was freed.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "overwritten while read: the reader was handed the free")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "overwritten after the read (or before the reader's look ended)")
@Outcome(id = "-1, 0, 1", expect = ACCEPTABLE, desc = "overwritten before the reader looked")
@Outcome(expect = FORBIDDEN, desc = "read after its free, freed twice, or never")
@State
public class ReadPinsHandOver
{
    private final PinnedPage page = new PinnedPage(new ReadPins(2));

    @Actor
    public void sharedGet(final III_Result r)
    {
        page.sharedGet(r);
    }

    @Actor
    public void overwrite()
    {
        page.overwrite();
    }

    @Arbiter
    public void after(final III_Result r)
    {
        r.r3 = page.frees();
    }
}
