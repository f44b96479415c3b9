package org.tmem4j.frontend;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Keeps a backend pool alive while operations use it, without a lock on the hot path: an operation
 * {@link #enter()}s and {@link #exit(int)}s; {@link #closeAndDrain()} turns new operations away and waits for the
 * ones inside to leave, after which the pool may be destroyed.
 * <p>
 * Operations count themselves in one of a few padded cells picked by thread, so threads on different cells do not
 * share a cache line. The proof is the store-load order of volatile accesses: an operation increments its cell
 * and then reads {@code closed}; the closer writes {@code closed} and then reads every cell. Either the operation
 * sees the gate closed and backs out, or the closer sees it counted and waits.
 */
public final class Gate
{
    private static final int CELLS = Math.min(8, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 2));
    private static final int STRIDE = 8; // longs per 64-byte cache line

    private final AtomicLongArray cells = new AtomicLongArray(CELLS * STRIDE);
    private volatile boolean closed;

    /**
     * @return a ticket for {@link #exit(int)}, or {@code -1} if the gate is closed (the operation must not use the
     * pool).
     */
    public int enter()
    {
        final int cell = (int)(Thread.currentThread().threadId() & (CELLS - 1)) * STRIDE;
        cells.getAndIncrement(cell);
        if (closed)
        {
            cells.getAndDecrement(cell);
            return -1;
        }
        return cell;
    }

    /**
     * @param ticket what {@link #enter()} returned (not {@code -1}).
     */
    public void exit(final int ticket)
    {
        cells.getAndDecrement(ticket);
    }

    /**
     * Closes the gate and waits until every operation that entered has exited.
     */
    public void closeAndDrain()
    {
        closed = true;
        while (inside() != 0)
        {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /**
     * @return whether {@link #closeAndDrain()} was called.
     */
    public boolean isClosed()
    {
        return closed;
    }

    private long inside()
    {
        long sum = 0;
        for (int i = 0; i < CELLS; i++)
        {
            sum += cells.get(i * STRIDE);
        }
        return sum;
    }
}
