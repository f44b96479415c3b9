package org.tmem4j.zcache;

import java.util.concurrent.atomic.LongAdder;

/**
 * Lets {@link Zcache#close()} free off-heap memory only once no operation is still inside it.
 * <p>
 * The codecs are JNI: a decompression reading pool memory is invisible to the FFM arena's own close checks, so
 * closing while a get runs would unmap memory under native code and crash the JVM. Every operation therefore enters
 * the gate before it touches memory and exits after. Entering counts first and checks {@code closed} second; closing
 * sets {@code closed} first and then waits until the exits catch up with the entries, so an operation either sees
 * the gate closed and backs out, or is counted and waited for. Striped counters keep the two increments per operation
 * off any shared cache line, so threads do not contend on the gate.
 */
final class OperationGate
{
    private final LongAdder entries = new LongAdder();
    private final LongAdder exits = new LongAdder();
    private final String owner;
    private volatile boolean closed;

    OperationGate(final String owner)
    {
        this.owner = owner;
    }

    /**
     * @throws IllegalStateException once {@link #close()} has begun.
     */
    void enter()
    {
        entries.increment();
        if (closed)
        {
            exits.increment();
            throw new IllegalStateException(owner + " is closed");
        }
    }

    void exit()
    {
        exits.increment();
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * Refuses new operations and waits for those inside to leave.
     *
     * @return false if the gate was already closed.
     */
    boolean close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return false;
            }
            closed = true;
        }
        // Exits are summed before entries: equal sums then mean no operation that entered before closing is inside.
        while (exits.sum() != entries.sum())
        {
            Thread.yield();
        }
        return true;
    }
}
