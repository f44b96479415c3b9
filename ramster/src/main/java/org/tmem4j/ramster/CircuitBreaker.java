package org.tmem4j.ramster;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps callers away from a Redis that is down or slow: after a failure that means Redis is unusable (a timeout, no
 * connection) the breaker opens and every operation is bypassed at once, without waiting, until the probe interval
 * has passed; then exactly one caller's operation goes through as the probe. Its success closes the breaker, its
 * failure opens it for another interval. So a dead Redis costs each caller at most one timeout.
 */
final class CircuitBreaker
{
    private static final long CLOSED = Long.MIN_VALUE;
    private static final long PROBING = Long.MAX_VALUE;

    private final long probeIntervalNanos;
    /** {@link #CLOSED}, {@link #PROBING}, or the {@link System#nanoTime()} from which a probe may go. */
    private final AtomicLong state = new AtomicLong(CLOSED);
    private final LongAdder opens = new LongAdder();

    CircuitBreaker(final long probeIntervalNanos)
    {
        this.probeIntervalNanos = probeIntervalNanos;
    }

    /**
     * {@return whether the caller may send its operation; when it is the probe it must report the outcome}
     */
    boolean allow()
    {
        final long current = state.get();
        if (current == CLOSED)
        {
            return true;
        }
        return current != PROBING && System.nanoTime() - current >= 0 && state.compareAndSet(current, PROBING);
    }

    void succeeded()
    {
        if (state.get() != CLOSED)
        {
            state.set(CLOSED);
        }
    }

    void failed()
    {
        final long current = state.get();
        if (current == CLOSED || current == PROBING)
        {
            if (state.compareAndSet(current, System.nanoTime() + probeIntervalNanos))
            {
                opens.increment();
            }
        }
    }

    /** Opens the breaker without a failed operation, e.g. when the store could not connect at all. */
    void open()
    {
        state.set(System.nanoTime() + probeIntervalNanos);
        opens.increment();
    }

    boolean isOpen()
    {
        return state.get() != CLOSED;
    }

    long opens()
    {
        return opens.sum();
    }
}
