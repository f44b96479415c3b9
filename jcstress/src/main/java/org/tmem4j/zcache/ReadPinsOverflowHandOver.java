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
 * {@link ReadPinsHandOver} with the reader's line full: seven other readers pin values of the same line, so the
 * reader pins in another line and counts itself in its own, and the overwrite must find it there. r1, r2, r3 as in
 * {@link ReadPinsHandOver}; r3 is -100 if one of the seven was handed a free that was not its value's.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "overwritten while read: the reader was handed the free")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "overwritten after the read (or before the reader's look ended)")
@Outcome(id = "-1, 0, 1", expect = ACCEPTABLE, desc = "overwritten before the reader looked")
@Outcome(expect = FORBIDDEN, desc = "read after its free, freed twice, never, or handed to another value's reader")
@State
public class ReadPinsOverflowHandOver
{
    private static final int SLOTS = 8;
    /** Seven values whose pins go to {@link PinnedPage#VALUE}'s line. */
    private static final long[] NEIGHBOURS = neighbours();

    private final PinnedPage page = new PinnedPage(new ReadPins(SLOTS));

    public ReadPinsOverflowHandOver()
    {
        for (int slot = 1; slot < SLOTS; slot++)
        {
            page.pins.pin(slot, NEIGHBOURS[slot - 1]);
        }
    }

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
        for (int slot = 1; slot < SLOTS; slot++)
        {
            if (!page.pins.unpin(slot, NEIGHBOURS[slot - 1]))
            {
                r.r3 = -100;
                return;
            }
        }
        r.r3 = page.frees();
    }

    private static long[] neighbours()
    {
        final ReadPins table = new ReadPins(SLOTS);
        final long[] found = new long[SLOTS - 1];
        int count = 0;
        for (long candidate = PinnedPage.VALUE + 1; count < found.length; candidate++)
        {
            if (table.line(candidate) == table.line(PinnedPage.VALUE))
            {
                found[count++] = candidate;
            }
        }
        return found;
    }
}
