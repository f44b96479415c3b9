package org.tmem4j.zsmalloc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

import org.tmem4j.concurrent.CurrentCpu;

/**
 * Readers that decompress straight from pool memory ({@link Zsmalloc#locate}), counted so that nothing moves their
 * bytes while they read: a sleepable read-copy-update in the manner of the kernel's SRCU.
 * <p>
 * <b>Why.</b> Compaction and chunk moves copy an object elsewhere and give its old bytes back, to another object or
 * to the page memory, which may unmap them. A reader that only found the object (an optimistic read validated
 * against the class's lock) and then hands the address to a codec, native code included, must not have the bytes
 * change or vanish under it. A lock held for the whole decompression would make every allocation in the class wait
 * for reads; instead a reader bumps a counter and a mover, which holds the class's exclusive lock (so that no new
 * reader can validate a location in that class), waits until every reader that entered before it has left.
 * <p>
 * <b>Epochs.</b> Readers of other classes keep entering while a mover waits, so the mover cannot wait for the count
 * to reach zero: it flips the epoch and waits only for the counters of the old one. A reader reads the epoch, bumps
 * that epoch's counter and reads the epoch again; if it changed, it leaves and enters the new one, so that a reader
 * counted in the old epoch is one the mover's wait sees. A mover that may give up ({@link #tryAwaitReaders}) can
 * leave readers in the old epoch; the next mover waits for them before it flips back, so that a reader still in is
 * never taken for one that entered after the flip.
 * <p>
 * <b>Layout.</b> One counter per CPU stripe and epoch, each on its own 128 bytes: readers on different CPUs write
 * no common line. A reader leaves through the counter it entered by (the token), wherever it runs by then.
 */
final class ReadPins
{
    private static final int STRIDE = 16;
    private static final int PAD = 8;
    private static final int MAX_STRIPES = 64;
    private static final int SPINS_BEFORE_YIELD = 64;
    private static final VarHandle COUNTERS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int stripeMask;
    /** Counter of stripe {@code s} in epoch {@code e} at {@code (e × stripes + s) × STRIDE + PAD}. */
    private final long[] counters;
    private volatile int epoch;
    private final ReentrantLock movers = new ReentrantLock();

    ReadPins()
    {
        final int stripes = Math.min(MAX_STRIPES,
            Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 2 - 1));
        stripeMask = stripes - 1;
        counters = new long[2 * stripes * STRIDE + 2 * PAD];
    }

    /**
     * Counts the calling thread as a reader until {@link #exit}.
     *
     * @return the token to leave with.
     */
    int enter()
    {
        final int stripe = CurrentCpu.stripe() & stripeMask;
        while (true)
        {
            final int current = epoch;
            final int at = slot(current, stripe);
            COUNTERS.getAndAdd(counters, at, 1L);
            if (epoch == current)
            {
                return at;
            }
            COUNTERS.getAndAdd(counters, at, -1L);
        }
    }

    /**
     * Ends a read begun by {@link #enter}.
     *
     * @param token what {@link #enter} answered.
     */
    void exit(final int token)
    {
        COUNTERS.getAndAdd(counters, token, -1L);
    }

    /**
     * Waits until every reader that entered before this call has left. The caller holds the exclusive lock of the
     * class whose bytes it is about to move, so no reader can find a location in that class meanwhile; readers never
     * wait while counted, so this always ends.
     */
    void awaitReaders()
    {
        movers.lock();
        try
        {
            final int old = epoch;
            // readers a failed tryAwaitReaders left behind in the other epoch first: the flip makes it current
            awaitLeft(old ^ 1);
            epoch = old ^ 1;
            awaitLeft(old);
        }
        finally
        {
            movers.unlock();
        }
    }

    /**
     * Like {@link #awaitReaders}, for a move that is worth making but need not be made now (gathering a page group,
     * packing chunks): gives up instead of waiting for a reader that does not leave within a short spin, such as one
     * the scheduler took off its CPU in the middle of a decompression. Waiting for it would hold the caller's class
     * lock for a time slice, and every thread that allocates or frees in that class would queue behind it.
     *
     * @return whether every reader that entered before this call has left; if not, the caller must not move bytes.
     */
    boolean tryAwaitReaders()
    {
        if (!movers.tryLock())
        {
            return false;
        }
        try
        {
            final int old = epoch;
            if (!haveLeft(old ^ 1, 0))
            {
                // a reader from before an earlier flip is still in: flipping back would count it as a new one
                return false;
            }
            epoch = old ^ 1;
            return haveLeft(old, SPINS_BEFORE_YIELD);
        }
        finally
        {
            movers.unlock();
        }
    }

    private void awaitLeft(final int oldEpoch)
    {
        for (int stripe = 0; stripe <= stripeMask; stripe++)
        {
            final int at = slot(oldEpoch, stripe);
            for (int spins = 0; (long)COUNTERS.getVolatile(counters, at) != 0; spins++)
            {
                // a reader preempted in the middle of a decompression may take a time slice to come back
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
    }

    private boolean haveLeft(final int oldEpoch, final int spins)
    {
        int spun = 0;
        for (int stripe = 0; stripe <= stripeMask; stripe++)
        {
            final int at = slot(oldEpoch, stripe);
            while ((long)COUNTERS.getVolatile(counters, at) != 0)
            {
                if (spun++ >= spins)
                {
                    return false;
                }
                Thread.onSpinWait();
            }
        }
        return true;
    }

    private int slot(final int epoch, final int stripe)
    {
        return (epoch * (stripeMask + 1) + stripe) * STRIDE + PAD;
    }
}
