package org.tmem4j.concurrent;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The body of a racing test thread: it waits for the common start, runs, and keeps the first failure of all the
 * threads for the test to throw after joining them.
 */
public final class Racers
{
    private Racers()
    {
    }

    /**
     * Runs {@code body} once {@code start} opens; whatever it throws is kept in {@code failure} unless another thread
     * failed first.
     */
    public static void runAfter(final CountDownLatch start, final AtomicReference<Throwable> failure,
        final Runnable body)
    {
        try
        {
            start.await();
            body.run();
        }
        catch (final Throwable t)
        {
            failure.compareAndSet(null, t);
        }
    }
}
