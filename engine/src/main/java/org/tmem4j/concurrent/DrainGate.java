package org.tmem4j.concurrent;

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
 * <b>Cost.</b> Two atomic increments per operation on the current CPU's stripe of {@link CpuCounters}, so threads
 * on different CPUs never share a cache line (each counter only grows, which is what summing them needs).
 */
public final class DrainGate
{
    private static final int ENTRIES = 0;
    private static final int EXITS = 1;

    private final CpuCounters counts = new CpuCounters(2);
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
        counts.increment(ENTRIES);
        if (closed)
        {
            counts.increment(EXITS);
            return false;
        }
        return true;
    }

    /**
     * Leaves the gate after a successful {@link #enter()}.
     */
    public void exit()
    {
        counts.increment(EXITS);
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
        while (counts.sum(EXITS) != counts.sum(ENTRIES))
        {
            Thread.onSpinWait();
            Thread.yield();
        }
        return true;
    }
}
