package org.tmem4j.jcstress.tmem;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * An ephemeral page holding value 10 is replaced by a put of 11 while another thread takes it (an exclusive get):
 * the take gets exactly one of the two values and the page is left holding the other one or nothing, consistently
 * with the put's answer. Anything else hands one allocation to two owners, or to none.
 * <p>
 * r1: what the put replaced; r2: what the take got; r3: what the page holds afterwards.
 */
@JCStressTest
@Outcome(id = "10, 11, 0", expect = ACCEPTABLE, desc = "put first, the take got the new value")
@Outcome(id = "0, 10, 11", expect = ACCEPTABLE, desc = "take first, the put found the page gone")
@Outcome(expect = FORBIDDEN, desc = "a value owned twice or by nobody")
@State
public class BucketPutVersusExclusiveGet
{
    private final long object = SharedPool.nextObject();

    public BucketPutVersusExclusiveGet()
    {
        SharedPool.EPHEMERAL.put(object, 0, 0, 3, 10, true);
    }

    @Actor
    public void put(final JJJ_Result r)
    {
        r.r1 = SharedPool.EPHEMERAL.put(object, 0, 0, 3, 11, true);
    }

    @Actor
    public void take(final JJJ_Result r)
    {
        r.r2 = SharedPool.EPHEMERAL.take(object, 0, 0, 3);
    }

    @Arbiter
    public void after(final JJJ_Result r)
    {
        r.r3 = SharedPool.EPHEMERAL.take(object, 0, 0, 3);
    }
}
