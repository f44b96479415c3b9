package org.tmem4j.zcache;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.tmem4j.codec.ZstdDictionary;

/**
 * A dictionary of one pool, as the engine holds it: its id in page headers, the prepared dictionary, and a reference
 * count of one per page compressed with it plus one while it is its pool's current dictionary. The last release
 * frees it.
 * <p>
 * Drift: the mean compressed size of the pages it compresses is measured over windows of {@link #WINDOW} pages; the
 * first window sets the baseline, and a later window worse than the baseline by {@link #DRIFT} asks for a new
 * dictionary.
 */
final class PageDictionary
{
    /** Pages per drift window. */
    static final int WINDOW = 4096;
    /** A window whose mean compressed size exceeds the baseline by this factor has drifted. */
    static final double DRIFT = 1.25;

    final int id;
    final ZstdDictionary dictionary;
    private final AtomicInteger references = new AtomicInteger(1);
    private final LongAdder windowBytes = new LongAdder();
    private final LongAdder windowPages = new LongAdder();
    private double baseline;

    PageDictionary(final int id, final ZstdDictionary dictionary)
    {
        this.id = id;
        this.dictionary = dictionary;
    }

    /**
     * Takes a reference for a page about to be compressed with it.
     *
     * @return false if it is being freed (its last reference is gone).
     */
    boolean tryRetain()
    {
        while (true)
        {
            final int count = references.get();
            if (count == 0)
            {
                return false;
            }
            if (references.compareAndSet(count, count + 1))
            {
                return true;
            }
        }
    }

    /**
     * @return whether that was the last reference.
     */
    boolean release()
    {
        final int left = references.decrementAndGet();
        if (left < 0)
        {
            throw new IllegalStateException("dictionary " + id + " released more often than retained");
        }
        return left == 0;
    }

    /**
     * Counts a page compressed with it.
     *
     * @param bytes its compressed size.
     */
    void compressed(final int bytes)
    {
        windowBytes.add(bytes);
        windowPages.increment();
    }

    /**
     * @return whether a full window has drifted from the baseline; starts a new window when one is full.
     */
    synchronized boolean drifted()
    {
        final long pages = windowPages.sum();
        if (pages < WINDOW)
        {
            return false;
        }
        final long bytes = windowBytes.sum();
        windowPages.add(-pages);
        windowBytes.add(-bytes);
        final double mean = (double)bytes / pages;
        if (baseline == 0)
        {
            baseline = mean;
            return false;
        }
        return mean > baseline * DRIFT;
    }
}
