package org.tmem4j.jcstress.alloc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.tmem4j.alloc.ObjectAllocator;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * zsmalloc: a handle allocated and written by one thread, published with a release store, is read by another
 * thread through both {@link ObjectAllocator#read} and {@link ObjectAllocator#view}, with no lock of the caller's
 * own. The reader must see the handle-table entry and the zspage it points to (usually just created, since the
 * arbiter's free empties the shared allocator's zspage again) and the object's bytes.
 * <p>
 * r1: 0 = not published yet, 1 = read matched, 2 = read mismatched, 3 = read threw; r2 the same for view.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the handle is not published yet")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "read and view both return the object's bytes")
@Outcome(expect = FORBIDDEN, desc = "a published handle reads other bytes or throws")
@State
public class ZsmallocHandlePublication
{
    private static final ObjectAllocator ALLOCATOR = ObjectBytes.allocator("zsmalloc");

    private final HandleHandoff handoff = new HandleHandoff();

    @Actor
    public void writer()
    {
        handoff.storeAndPublish(ALLOCATOR);
    }

    @Actor
    public void reader(final II_Result r)
    {
        handoff.acquireAndRead(ALLOCATOR, r);
    }

    @Arbiter
    public void free()
    {
        handoff.free(ALLOCATOR);
    }
}
