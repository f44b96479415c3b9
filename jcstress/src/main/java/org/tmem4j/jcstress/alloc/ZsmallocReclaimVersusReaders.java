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
 * zsmalloc: frees give pages back by moving chunks of other classes while those classes are read. Each state stores
 * objects of two classes in turn, so that their chunks share pool pages; one thread then frees every object of the
 * first class, which leaves enough free chunks in shared pages that the freeing thread moves the second class's
 * chunks out of the sparse pages; another thread meanwhile reads two objects of the second class through
 * {@link ObjectAllocator#read}, {@link ObjectAllocator#view} and {@link ObjectAllocator#locate} (pinned). Every read must return the object's bytes, before,
 * during or after the moves.
 * <p>
 * r1: 1 when the frees gave at least one page back; r2: 1 when every concurrent read matched; r3: 1 when both
 * objects still match afterwards.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "chunks moved, reads saw the objects' bytes throughout")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "reads intact; the frees moved nothing this time")
@Outcome(expect = FORBIDDEN, desc = "a read racing with a chunk move saw other bytes, or threw")
@State
public class ZsmallocReclaimVersusReaders
{
    private static final int FREED_SIZE = 1_000;
    private static final int KEPT_SIZE = 1_500;
    private static final int PAIRS = 64;
    private static final AtomicLong TAGS = new AtomicLong();

    private final ObjectAllocator allocator = ObjectBytes.allocator("zsmalloc");
    private final long firstTag = TAGS.getAndAdd(PAIRS * 2);
    private final long[] freed = new long[PAIRS];
    private final long firstKept;
    private final long lastKept;

    public ZsmallocReclaimVersusReaders()
    {
        long first = 0;
        long last = 0;
        for (int i = 0; i < PAIRS; i++)
        {
            freed[i] = ObjectBytes.store(allocator, FREED_SIZE, firstTag + 2 * i);
            last = ObjectBytes.store(allocator, KEPT_SIZE, firstTag + 2 * i + 1);
            first = i == 0 ? last : first;
        }
        firstKept = first;
        lastKept = last;
    }

    @Actor
    public void freer(final III_Result r)
    {
        final long pagesBefore = allocator.stats().pagesUsed();
        for (final long handle : freed)
        {
            allocator.free(handle);
        }
        r.r1 = allocator.stats().pagesUsed() < pagesBefore ? 1 : 0;
    }

    @Actor
    public void reader(final III_Result r)
    {
        r.r2 = keptMatch() ? 1 : 0;
    }

    private boolean keptMatch()
    {
        try
        {
            return ObjectBytes.readMatches(allocator, firstKept, KEPT_SIZE, firstTag + 1)
                & ObjectBytes.viewMatches(allocator, firstKept, KEPT_SIZE, firstTag + 1)
                & ObjectBytes.locateMatches(allocator, firstKept, KEPT_SIZE, firstTag + 1)
                & ObjectBytes.readMatches(allocator, lastKept, KEPT_SIZE, firstTag + 2 * PAIRS - 1)
                & ObjectBytes.viewMatches(allocator, lastKept, KEPT_SIZE, firstTag + 2 * PAIRS - 1)
                & ObjectBytes.locateMatches(allocator, lastKept, KEPT_SIZE, firstTag + 2 * PAIRS - 1);
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    @Arbiter
    public void check(final III_Result r)
    {
        r.r3 = keptMatch() ? 1 : 0;
        allocator.close();
    }
}
