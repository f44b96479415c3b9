package org.tmem4j.jcstress.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;
import org.tmem4j.memory.PageMemory;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * One thread allocates a page (often from a slab it maps at that moment), writes a stamp into it and publishes the
 * page id with a release store; another thread that acquires the id must find the page's slab through
 * {@link PageMemory#segment(int)} (whose slab table is read without a lock) and the stamp in it. This is the
 * publication every allocator and index above relies on.
 */
@JCStressTest
@Outcome(id = "-1", expect = ACCEPTABLE, desc = "the page id is not published yet")
@Outcome(id = "7523094288207667809", expect = ACCEPTABLE, desc = "the published page holds the stamp")
@Outcome(id = "-2", expect = FORBIDDEN, desc = "the published page's slab is not visible to the reader")
@Outcome(expect = FORBIDDEN, desc = "the published page holds other bytes")
@State
public class PagePublication
{
    private static final long STAMP = 0x6867666564636261L;
    private static final java.lang.invoke.VarHandle PUBLISHED;

    static
    {
        try
        {
            PUBLISHED = java.lang.invoke.MethodHandles.lookup()
                .findVarHandle(PagePublication.class, "published", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private int published = PageMemory.NO_PAGE;
    private int allocated = PageMemory.NO_PAGE;

    @Actor
    public void writer()
    {
        final PageMemory memory = SharedPageMemory.MEMORY;
        final int page = memory.allocate();
        memory.segment(page).set(ValueLayout.JAVA_LONG, memory.offset(page), STAMP);
        allocated = page;
        PUBLISHED.setRelease(this, page);
    }

    @Actor
    public void reader(final J_Result r)
    {
        final int page = (int)PUBLISHED.getAcquire(this);
        if (page == PageMemory.NO_PAGE)
        {
            r.r1 = -1;
            return;
        }
        final PageMemory memory = SharedPageMemory.MEMORY;
        try
        {
            final MemorySegment segment = memory.segment(page);
            r.r1 = segment.get(ValueLayout.JAVA_LONG, memory.offset(page));
        }
        catch (final IllegalStateException ex)
        {
            r.r1 = -2;
        }
    }

    @Arbiter
    public void release()
    {
        SharedPageMemory.MEMORY.free(allocated);
    }
}
