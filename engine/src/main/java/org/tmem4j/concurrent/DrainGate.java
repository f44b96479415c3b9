package org.tmem4j.concurrent;

import java.util.concurrent.atomic.LongAdder;

/**
 * Lets an owner release memory only once no operation is still using it, without a lock on the operations' path:
 * each operation {@link #enter()}s before it touches the memory and {@link #exit()}s after; {@link #close()} turns
 * new operations away and waits for the ones inside to leave.
 * <p>
 * The codecs are JNI: a decompression reading pool memory is invisible to the FFM arena's own close checks, so
 * releasing memory while an operation runs would unmap it under native code and crash the JVM; and a frontend pool
 * must not be destroyed while an operation still uses its id. Both use this gate.
 * <p>
 * <b>Why it is safe.</b> Entering counts first and reads {@code closed} second; closing writes {@code closed} first
 * and then waits until the exits catch up with the entries. Either an operation sees the gate closed and backs out,
 * or the closer sees it counted and waits for it. The exits are summed before the entries: both only grow, so equal
 * sums mean that every operation that entered before the close has left.
 * <p>
 * <b>Cost.</b> Two {@link LongAdder} increments per operation: the adders spread contending threads over cells of
 * their own, so threads on different CPUs do not share a cache line.
 */
public final class DrainGate
{
    private final LongAdder entries = new LongAdder();
    private final LongAdder exits = new LongAdder();
    private volatile boolean closed;

    /**
     * Creates an open gate.
     */
    public DrainGate()
    {
    }

    /**
     * Enters the gate; on {@code true} the caller must {@link #exit()} exactly once, on {@code false} never.
     *
     * @return whether the operation may proceed ({@code false} once {@link #close()} has begun).
     */
    public boolean enter()
    {
        entries.increment();
        if (closed)
        {
            exits.increment();
            return false;
        }
        return true;
    }

    /**
     * Leaves the gate after a successful {@link #enter()}.
     */
    public void exit()
    {
        exits.increment();
    }

    /**
     * {@return whether {@link #close()} has begun}
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Refuses new operations and waits for those inside to leave. Only the first call waits.
     *
     * @return {@code true} for the call that closed the gate, {@code false} if it was closed already.
     */
    public boolean close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return false;
            }
            closed = true;
        }
        while (exits.sum() != entries.sum())
        {
            Thread.onSpinWait();
            Thread.yield();
        }
        return true;
    }
}
