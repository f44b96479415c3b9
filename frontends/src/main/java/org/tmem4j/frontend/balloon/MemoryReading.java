package org.tmem4j.frontend.balloon;

/**
 * One look at a JVM's memory situation, what {@link Selfballoon} decides from.
 *
 * @param pressurePercent share of the last 10 s in which some task stalled on memory (PSI {@code some avg10}), 0
 *                        to 100; 0 where the kernel has no PSI.
 * @param limitBytes      the memory limit of the JVM's cgroup (the tightest of it and its ancestors), or
 *                        {@link #NO_LIMIT}.
 * @param usageBytes      the memory the cgroup uses (page cache included, as the kernel counts it), or 0 without a
 *                        limit.
 * @param heapAfterGcBytes the heap in use after the last collection, summed over the heap pools.
 * @param heapMaxBytes    the heap's maximum ({@code -Xmx}).
 */
public record MemoryReading(double pressurePercent, long limitBytes, long usageBytes, long heapAfterGcBytes,
    long heapMaxBytes)
{
    /** {@link #limitBytes()} when no cgroup limits the JVM. */
    public static final long NO_LIMIT = Long.MAX_VALUE;

    /**
     * {@return whether a cgroup limit applies}
     */
    public boolean hasLimit()
    {
        return limitBytes != NO_LIMIT;
    }
}
