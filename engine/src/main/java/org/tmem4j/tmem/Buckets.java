package org.tmem4j.tmem;

/**
 * The one rule for the number of hash buckets (lock stripes) per pool, used by the engine's builder, the pool
 * registry and the frontends' configuration alike.
 */
public final class Buckets
{
    /** Buckets per pool unless configured otherwise, as in Linux tmem. */
    public static final int DEFAULT = 256;
    /** The most buckets per pool. */
    public static final int MAX = 65536;
    /** The allowed counts in words, for error messages. */
    public static final String ALLOWED = "a power of two from 1 to " + MAX;

    private Buckets()
    {
    }

    /**
     * {@return whether it is a power of two from 1 to {@value #MAX}}
     *
     * @param buckets a number of buckets.
     */
    public static boolean isBucketCount(final int buckets)
    {
        return buckets >= 1 && buckets <= MAX && Integer.bitCount(buckets) == 1;
    }

    /**
     * {@return buckets, when it is allowed}
     *
     * @param buckets a number of buckets per pool.
     * @throws IllegalArgumentException naming the allowed counts and the count, when it is not.
     */
    public static int checkBuckets(final int buckets)
    {
        if (!isBucketCount(buckets))
        {
            throw new IllegalArgumentException("buckets must be " + ALLOWED + ", was " + buckets);
        }
        return buckets;
    }
}
