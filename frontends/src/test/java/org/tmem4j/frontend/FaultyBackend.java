package org.tmem4j.frontend;

import java.lang.foreign.MemorySegment;

/**
 * A backend in front of another that can be told to refuse or to throw on every put: failures a real backend has
 * (budget exhausted, poor compression, a bug) on demand.
 */
public final class FaultyBackend implements Backend
{
    /** Answer of a refused put. */
    public static final int REFUSED = -100;

    private final Backend backend;
    public volatile boolean refusePuts;
    public volatile boolean throwOnPuts;

    public FaultyBackend(final Backend backend)
    {
        this.backend = backend;
    }

    public Backend backend()
    {
        return backend;
    }

    @Override
    public String name()
    {
        return "faulty-" + backend.name();
    }

    @Override
    public int createEphemeralPool(final int pageSize)
    {
        return backend.createEphemeralPool(pageSize);
    }

    @Override
    public int createSharedEphemeralPool(final long uuidHi, final long uuidLo, final int pageSize)
    {
        return backend.createSharedEphemeralPool(uuidHi, uuidLo, pageSize);
    }

    @Override
    public int createPersistentPool(final int pageSize)
    {
        return backend.createPersistentPool(pageSize);
    }

    @Override
    public void destroyPool(final int pool)
    {
        backend.destroyPool(pool);
    }

    @Override
    public int put(final int pool, final long a, final long b, final long c, final int index, final MemorySegment page)
    {
        if (throwOnPuts)
        {
            throw new IllegalStateException("backend " + name() + " fails on purpose");
        }
        if (refusePuts)
        {
            // a failed put leaves no older copy behind (the Backend contract)
            backend.invalidatePage(pool, a, b, c, index);
            return REFUSED;
        }
        return backend.put(pool, a, b, c, index, page);
    }

    @Override
    public boolean get(final int pool, final long a, final long b, final long c, final int index,
        final MemorySegment dst)
    {
        return backend.get(pool, a, b, c, index, dst);
    }

    @Override
    public boolean invalidatePage(final int pool, final long a, final long b, final long c, final int index)
    {
        return backend.invalidatePage(pool, a, b, c, index);
    }

    @Override
    public int invalidateObject(final int pool, final long a, final long b, final long c)
    {
        return backend.invalidateObject(pool, a, b, c);
    }
}
