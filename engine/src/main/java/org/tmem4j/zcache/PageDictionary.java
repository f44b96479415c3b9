package org.tmem4j.zcache;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.tmem4j.codec.ZstdDictionary;

/**
 * A dictionary of one pool, as the engine holds it: its id in page headers, the prepared dictionary, and a reference
 * count of one per page compressed with it plus one while it is its pool's current dictionary. The last release
 * frees it.
 * <p>
 * Drift: the mean compressed size of the pages it compresses is measured over windows of {@link #WINDOW} pages; the
 * first window sets the baseline, and a later window worse than the baseline by {@link #DRIFT} has drifted (whether
 * that starts a fresh sample is its pool's decision: {@link PoolDictionaries#resample}). Windows are short, so that a
 * run of pages of another kind (a table's index after its rows) gets a dictionary of its own while most of it is
 * still to come.
 */
final class PageDictionary
{
    /** Pages per drift window. */
    static final int WINDOW = 256;
    /** A window whose mean compressed size exceeds the baseline by this factor has drifted. */
    static final double DRIFT = 1.25;

    final int id;
    final ZstdDictionary dictionary;
    private final AtomicInteger references = new AtomicInteger(1);
    private final LongAdder windowBytes = new LongAdder();
    private final AtomicLong pages = new AtomicLong();
    private double baseline;
    private long migrationShare = -1;
    /** Set once it is no longer its pool's current dictionary: no page is compressed with it any more. */
    private volatile boolean superseded;

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
     * Marks it as no longer its pool's current dictionary, before its compressing forms are retired.
     */
    void supersede()
    {
        superseded = true;
    }

    /**
     * {@return whether it is no longer its pool's current dictionary: pages are no longer compressed with it}
     */
    boolean isSuperseded()
    {
        return superseded;
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
     * {@return what each of its pages may grow by when the migration moves it to a newer dictionary: its bytes over
     * the pages it held when the migration first looked at it, so that moving them all costs at most its bytes}
     * Only the migration's thread calls it.
     */
    long migrationShare()
    {
        if (migrationShare < 0)
        {
            migrationShare = dictionary.byteSize() / Math.max(1, references.get());
        }
        return migrationShare;
    }

    /**
     * Counts a page compressed with it.
     *
     * @param bytes its compressed size.
     * @return whether that page completed a window: the caller then asks {@link #drifted()}.
     */
    boolean compressed(final int bytes)
    {
        windowBytes.add(bytes);
        return pages.incrementAndGet() % WINDOW == 0;
    }

    /**
     * {@return pages compressed with it so far}
     */
    long pages()
    {
        return pages.get();
    }

    /**
     * Judges the window just completed (pages of the next one counted meanwhile may fall in it: a mean moves by
     * little for that) and starts the next.
     *
     * @return whether the window has drifted from the baseline.
     */
    synchronized boolean drifted()
    {
        final double mean = (double)windowBytes.sumThenReset() / WINDOW;
        if (baseline == 0)
        {
            baseline = mean;
            return false;
        }
        return mean > baseline * DRIFT;
    }
}
