package org.tmem4j.concurrent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A lock word after a cache line of padding, for the per-CPU structures of a hot path (a page memory's CPU cache, an
 * allocator's shard): a subclass declares its fields after the word and, in a subclass of its own, 64 bytes of
 * padding after them, so that structures made one after the other never put two CPUs' written fields on one line.
 * <p>
 * {@link #tryLock()} is one compare-and-set, so a caller can take another structure instead of waiting for a holder
 * that lost its CPU; {@link #lock()} spins, then yields, and never parks: holders run a few dozen instructions, and
 * unlike a monitor or a {@code ReentrantLock} the lock never turns into a queue of parked threads after one contended
 * moment, nor keeps its state in another object that the heap may lay next to another CPU's. Not reentrant.
 */
public abstract class PaddedSpinLock extends CacheLinePadding
{
    private static final int SPINS_BEFORE_YIELD = 100;
    private static final VarHandle LOCKED;

    static
    {
        try
        {
            LOCKED = MethodHandles.lookup().findVarHandle(PaddedSpinLock.class, "locked", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** 1 while a thread holds the lock. */
    @SuppressWarnings("unused")
    private volatile int locked;

    /**
     * For subclasses.
     */
    protected PaddedSpinLock()
    {
    }

    /**
     * {@return whether the lock was free and is now the caller's}
     */
    public final boolean tryLock()
    {
        return (int)LOCKED.getOpaque(this) == 0 && LOCKED.compareAndSet(this, 0, 1);
    }

    /**
     * Takes the lock, spinning and then yielding while another thread holds it.
     */
    public final void lock()
    {
        for (int spins = 0; !tryLock(); spins++)
        {
            if (spins < SPINS_BEFORE_YIELD)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
    }

    /**
     * Releases the lock taken by {@link #tryLock()} or {@link #lock()}; only its holder may call this.
     */
    public final void unlock()
    {
        LOCKED.setRelease(this, 0);
    }
}
