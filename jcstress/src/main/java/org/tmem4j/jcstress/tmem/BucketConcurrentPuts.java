package org.tmem4j.jcstress.tmem;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;
import org.tmem4j.tmem.TmemPool;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two threads put the same page of a new object at once (one creating the object, the other finding it or creating
 * it too): the bucket lock must order them, so one put finds nothing and the other replaces it, handing its value
 * back to be freed, and the page ends up holding the later value. A lost or duplicated value is a leaked or
 * doubly freed allocation in the engine.
 * <p>
 * r1, r2: what each put replaced; r3: the value the page holds afterwards.
 */
@JCStressTest
@Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "the first put created the page, the second replaced it")
@Outcome(id = "2, 0, 1", expect = ACCEPTABLE, desc = "the second put created the page, the first replaced it")
@Outcome(expect = FORBIDDEN, desc = "a value was lost, duplicated or both puts created the page")
@State
public class BucketConcurrentPuts
{
    private final long object = SharedPool.nextObject();

    @Actor
    public void first(final JJJ_Result r)
    {
        r.r1 = SharedPool.PERSISTENT.put(object, 0, 0, 7, 1, false);
    }

    @Actor
    public void second(final JJJ_Result r)
    {
        r.r2 = SharedPool.PERSISTENT.put(object, 0, 0, 7, 2, false);
    }

    @Arbiter
    public void after(final JJJ_Result r)
    {
        r.r3 = SharedPool.PERSISTENT.take(object, 0, 0, 7);
        if (SharedPool.PERSISTENT.take(object, 0, 0, 7) != TmemPool.EMPTY)
        {
            r.r3 = -1;
        }
    }
}
