package org.tmem4j.jcstress.codec;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;
import org.tmem4j.codec.CompressorPool;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The compressor pool with {@link CompressorPool.SlotSelection#THREAD} selection: two threads acquiring its only
 * slot at once hold it one after the other, never together; each finds its own stamps in the slot's buffers.
 */
@JCStressTest
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "each thread held the slot alone")
@Outcome(expect = FORBIDDEN, desc = "two threads held the slot at once")
@State
public class CompressorPoolThreadExclusion
{
    private static final CompressorPool POOL = SlotExclusion.onePool(CompressorPool.SlotSelection.THREAD);

    @Actor
    public void first(final JJ_Result r)
    {
        r.r1 = SlotExclusion.holdAndStamp(POOL, 1);
    }

    @Actor
    public void second(final JJ_Result r)
    {
        r.r2 = SlotExclusion.holdAndStamp(POOL, 2);
    }
}
