package org.tmem4j.jcstress.alloc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

import org.openjdk.jcstress.infra.results.II_Result;
import org.tmem4j.alloc.ObjectAllocator;

/**
 * One object handed from a writer thread to a reader thread by its handle alone, the way the engine's index
 * publishes a handle after storing a page: allocate, write, then a release store of the handle; the reader's
 * acquire load of the handle must make the allocator's own metadata and the object's bytes visible.
 */
final class HandleHandoff
{
    static final int NOT_PUBLISHED = 0;
    static final int MATCHED = 1;
    static final int MISMATCHED = 2;
    static final int THREW = 3;

    private static final AtomicLong TAGS = new AtomicLong();
    private static final VarHandle PUBLISHED;

    static
    {
        try
        {
            PUBLISHED = MethodHandles.lookup().findVarHandle(HandleHandoff.class, "published", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long tag = TAGS.incrementAndGet();
    private final int wantedSize = 64 + (int)(tag * 797 % 4000);
    private long published;
    private long handle;

    void storeAndPublish(final ObjectAllocator allocator)
    {
        handle = ObjectBytes.store(allocator, size(allocator), tag);
        PUBLISHED.setRelease(this, handle);
    }

    void acquireAndRead(final ObjectAllocator allocator, final II_Result r)
    {
        final long h = (long)PUBLISHED.getAcquire(this);
        if (h == 0)
        {
            r.r1 = NOT_PUBLISHED;
            r.r2 = NOT_PUBLISHED;
            return;
        }
        try
        {
            r.r1 = ObjectBytes.readMatches(allocator, h, size(allocator), tag) ? MATCHED : MISMATCHED;
        }
        catch (final RuntimeException ex)
        {
            r.r1 = THREW;
        }
        try
        {
            r.r2 = ObjectBytes.viewMatches(allocator, h, size(allocator), tag) ? MATCHED : MISMATCHED;
        }
        catch (final RuntimeException ex)
        {
            r.r2 = THREW;
        }
    }

    private int size(final ObjectAllocator allocator)
    {
        return Math.min(wantedSize, allocator.maxStoredSize());
    }

    void free(final ObjectAllocator allocator)
    {
        allocator.free(handle);
    }
}
