package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A uniform sample of the pages a pool has been put, for making its dictionaries: a reservoir (Vitter's algorithm R)
 * of {@code capacity} pages off the heap, filled by the putting threads outside any lock. Each page put is offered;
 * once the reservoir is full, the n-th replaces a random sample with probability capacity/n, so copies grow only
 * with the logarithm of the pages put. The random draw for the n-th offer is a hash of n: the same pages put in the
 * same order make the same sample and the same dictionaries, run after run (a study or a test is repeatable), and
 * concurrent offers share no generator.
 * <p>
 * An offer answers true at each milestone: when the pages offered reach the capacity, then 4, 16, 64... times it.
 * Dictionaries are (re)made there, so a pool whose first pages are unlike the rest (a database's catalog before its
 * tables) gets a dictionary of its bulk soon, at a cost that stays logarithmic.
 * <p>
 * A sample page being overwritten while training copies it only makes that sample a mix of two pages: never an
 * error, since a dictionary is bytes to find matches in and every page records which dictionary it used.
 */
final class DictionarySampler
{
    /** Each milestone is this many times the last. */
    private static final int GROWTH = 4;

    private final MemorySegment samples;
    private final int capacity;
    private final int pageSize;
    private final AtomicLong offered = new AtomicLong();
    private volatile long nextMilestone;

    /**
     * @param capacity pages the reservoir holds, at least 1.
     * @param pageSize the pool's page size.
     */
    DictionarySampler(final int capacity, final int pageSize)
    {
        this.capacity = capacity;
        this.pageSize = pageSize;
        this.nextMilestone = capacity;
        // freed by the collector with the pool's state, once no put or training uses it
        this.samples = Arena.ofAuto().allocate((long)capacity * pageSize, 64);
    }

    /**
     * @param page a page being put, native or heap.
     * @return whether this page reached a milestone: the caller makes a dictionary.
     */
    boolean offer(final MemorySegment page)
    {
        final long n = offered.incrementAndGet();
        final long slot = n <= capacity ? n - 1 : Long.remainderUnsigned(mix(n), n);
        if (slot < capacity)
        {
            MemorySegment.copy(page, 0, samples, slot * pageSize, pageSize);
        }
        final long milestone = nextMilestone;
        if (n == milestone)
        {
            nextMilestone = milestone * GROWTH;
            return true;
        }
        return false;
    }

    /**
     * {@return a 64-bit hash of {@code n} whose bits are uniform over consecutive {@code n}: SplitMix64's finalizer}
     */
    private static long mix(final long n)
    {
        long z = n * 0x9E3779B97F4A7C15L;
        z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9L;
        z = (z ^ z >>> 27) * 0x94D049BB133111EBL;
        return z ^ z >>> 31;
    }

    /**
     * {@return pages offered so far: the population the sample stands for}
     */
    long offered()
    {
        return offered.get();
    }

    /**
     * {@return the samples, back to back: {@link #pages()} of them once the first milestone is reached}
     */
    MemorySegment samples()
    {
        return samples;
    }

    /**
     * {@return the number of sample pages}
     */
    int pages()
    {
        return capacity;
    }
}
