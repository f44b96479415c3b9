package org.tmem4j.zcache;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A pool's dictionary state: the dictionary new pages are compressed with (none before the first is trained), the
 * sampler collecting pages for the next one (none while no training is wanted), and when a drift may start a fresh
 * sample.
 * <p>
 * Pages that merely vary (the same pages of mixed kinds put again and again, as a benchmark does) drift over and over:
 * each drift's candidate may be installed, and a new dictionary's first window is its baseline, so it drifts in turn.
 * Each drift costs a fresh sample and candidates on the background thread, which took a core from the puts (a
 * benchmark trial made 29 dictionaries of 4,096 pages). So after a drift that started a sample the pool lets
 * {@link #QUIET_WINDOWS} windows pass, whichever dictionary compresses them, twice as many after each further one (at
 * most {@value #MAX_DOUBLINGS} doublings), before a drift starts another: samples then cost the logarithm of the
 * pages put, and the first drift into a run of another kind still starts one at once.
 */
final class PoolDictionaries
{
    /** Drift windows after a drift that started a sample before another drift may: doubles with each. */
    static final int QUIET_WINDOWS = 4;
    /** The quiet time stops doubling here: {@value #QUIET_WINDOWS} × 2^10 windows of 256 pages, a million pages. */
    static final int MAX_DOUBLINGS = 10;

    /** The current dictionary; it holds one reference on it. */
    final AtomicReference<PageDictionary> current = new AtomicReference<>();
    /** Collecting samples, or null. */
    volatile DictionarySampler sampler;
    /** Drift windows completed in this pool, by any of its dictionaries; guarded by this. */
    private long windows;
    private long quietUntil;
    private int samples;

    PoolDictionaries(final DictionarySampler first)
    {
        this.sampler = first;
    }

    /**
     * Counts a drift window one of the pool's dictionaries completed and decides whether its drift starts a fresh
     * sample: only past the quiet time of the last one.
     *
     * @param drifted whether the window drifted from its dictionary's baseline.
     * @return whether to start a fresh sample.
     */
    synchronized boolean resample(final boolean drifted)
    {
        windows++;
        if (!drifted || windows < quietUntil)
        {
            return false;
        }
        quietUntil = windows + ((long)QUIET_WINDOWS << Math.min(samples++, MAX_DOUBLINGS));
        return true;
    }
}
