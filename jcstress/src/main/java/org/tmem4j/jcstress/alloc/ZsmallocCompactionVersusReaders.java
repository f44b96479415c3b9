package org.tmem4j.jcstress.alloc;

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
 * zsmalloc: compaction moves objects while another thread reads them by handle. Each state fills two zspages of
 * one size class and frees all but the first and the last object, so compaction has an object to move from one
 * sparse zspage into the other; the reader reads both survivors through {@link ObjectAllocator#read},
 * {@link ObjectAllocator#view} and {@link ObjectAllocator#locate} (pinned in place while it reads) at the same time. Every read must return the object's bytes, before, during or after
 * the move; the arbiter checks them again afterwards.
 * <p>
 * r1: pages compaction freed (0 or more); r2: 1 when every concurrent read and view matched; r3: 1 when both
 * objects still match after compaction.
 */
@JCStressTest
@Outcome(id = "[0-9]+, 1, 1", expect = ACCEPTABLE, desc = "reads racing with compaction saw the objects' bytes")
@Outcome(expect = FORBIDDEN, desc = "a read racing with compaction saw other bytes, or threw")
@State
public class ZsmallocCompactionVersusReaders
{
    private static final int SIZE = 1_800;
    private static final int OBJECTS = 48;

    private final FragmentedClass fragmented = new FragmentedClass("zsmalloc", SIZE, OBJECTS);

    @Actor
    public void compactor(final III_Result r)
    {
        r.r1 = (int)fragmented.allocator().compact();
    }

    @Actor
    public void reader(final III_Result r)
    {
        r.r2 = fragmented.survivorsMatch() ? 1 : 0;
    }

    @Arbiter
    public void check(final III_Result r)
    {
        r.r3 = fragmented.survivorsMatch() ? 1 : 0;
        fragmented.close();
    }
}
