package org.tmem4j.jcstress.alloc;

import java.util.concurrent.atomic.AtomicLong;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.tmem4j.alloc.ObjectAllocator;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * zsmalloc: two threads allocate, write and read back an object of the same size class at the same time, one of
 * them after freeing another object of that class. An allocation goes to its CPU's shard of the class, and one whose
 * shard has no room takes a free slot of another shard (or opens a zspage in a lower one) if that shard's lock is free
 * at once, so the two new objects may land in one shard or in two; wherever they land, each must read back as
 * written, the handles must differ, and the survivor of the free must be intact.
 * <p>
 * r1, r2: 1 when each writer read its own object back intact; r3: 1 when, afterwards, both new objects and the
 * survivor match and the two handles differ.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "both objects intact, distinct handles")
@Outcome(expect = FORBIDDEN, desc = "an object was overwritten, a handle was handed out twice, or a call threw")
@State
public class ZsmallocSameClassAllocation
{
    private static final int SIZE = 1_000;
    private static final AtomicLong TAGS = new AtomicLong();

    private final ObjectAllocator allocator = ObjectBytes.allocator("zsmalloc");
    private final long firstTag = TAGS.getAndAdd(4);
    private final long survivor = ObjectBytes.store(allocator, SIZE, firstTag);
    private final long doomed = ObjectBytes.store(allocator, SIZE, firstTag + 1);
    private long left;
    private long right;

    @Actor
    public void freeThenAllocateLeft(final III_Result r)
    {
        allocator.free(doomed);
        r.r1 = allocateAndCheck(firstTag + 2, true) ? 1 : 0;
    }

    @Actor
    public void allocateRight(final III_Result r)
    {
        r.r2 = allocateAndCheck(firstTag + 3, false) ? 1 : 0;
    }

    private boolean allocateAndCheck(final long tag, final boolean isLeft)
    {
        try
        {
            final long handle = ObjectBytes.store(allocator, SIZE, tag);
            if (isLeft)
            {
                left = handle;
            }
            else
            {
                right = handle;
            }
            return ObjectBytes.readMatches(allocator, handle, SIZE, tag);
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    @Arbiter
    public void check(final III_Result r)
    {
        try
        {
            r.r3 = left != right && left > 0 && right > 0 &&
                ObjectBytes.readMatches(allocator, left, SIZE, firstTag + 2) &&
                ObjectBytes.readMatches(allocator, right, SIZE, firstTag + 3) &&
                ObjectBytes.readMatches(allocator, survivor, SIZE, firstTag) ? 1 : 0;
        }
        catch (final RuntimeException ex)
        {
            r.r3 = 0;
        }
        allocator.close();
    }
}
