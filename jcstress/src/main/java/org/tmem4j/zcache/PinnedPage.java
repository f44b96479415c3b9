package org.tmem4j.zcache;

import org.openjdk.jcstress.infra.results.III_Result;

/**
 * What the read-pin tests' actors do, as the engine does it: one page under its lock, holding a value that a shared
 * get pins (reading it after the lock) and an overwrite takes out and frees, or hands over to the pinning reader.
 * Freeing counts; a read checks that its value was not freed yet.
 */
final class PinnedPage
{
    /** The value the page holds until it is overwritten. */
    static final long VALUE = 42;

    final ReadPins pins;
    private final Object lock = new Object();
    private long index = VALUE;
    private int frees;

    PinnedPage(final ReadPins pins)
    {
        this.pins = pins;
    }

    /**
     * A shared get by the holder of slot 0: r1 = 1 if it read the value alive, -1 if the page was empty, 0 if it
     * read a freed value; r2 = 1 if it was handed the free.
     */
    void sharedGet(final III_Result r)
    {
        synchronized (lock)
        {
            if (index == 0)
            {
                r.r1 = -1;
                return;
            }
            pins.pin(0, index);
        }
        final long value = pins.found(0);
        r.r1 = freed() ? 0 : 1;
        if (!pins.unpin(0, value))
        {
            free(value);
            r.r2 = 1;
        }
    }

    /**
     * Takes the value out of the page and frees it, or hands the free over.
     */
    void overwrite()
    {
        final long old;
        synchronized (lock)
        {
            old = index;
            index = 0;
        }
        free(old);
    }

    synchronized int frees()
    {
        return frees;
    }

    private void free(final long value)
    {
        if (!pins.handOver(value))
        {
            synchronized (this)
            {
                frees++;
            }
        }
    }

    private synchronized boolean freed()
    {
        return frees > 0;
    }
}
