package org.tmem4j.alloc;

import java.time.Duration;

/**
 * When an allocator that moves objects compacts by itself, the role the kernel gives zsmalloc's shrinker: a
 * background check every {@code interval} that compacts once the pages compaction could give back reach
 * {@code freeablePercent} percent of the pages held (and at least {@link #MIN_FREEABLE_PAGES}), so that no caller has
 * to call {@link ObjectAllocator#compact()}. Allocators that do not move objects ignore it.
 *
 * @param freeablePercent fragmentation that triggers a compaction, in percent of the pages held, 1 to 100; or 0 for
 *                        no background compaction.
 * @param interval        time between checks, at least 1 ms.
 */
public record CompactionPolicy(int freeablePercent, Duration interval)
{
    /** Fewest freeable pages worth a compaction, whatever the percentage: a small pool is not worth the copying. */
    public static final long MIN_FREEABLE_PAGES = 16;

    /** No background compaction: only explicit {@link ObjectAllocator#compact()} calls compact. */
    public static final CompactionPolicy OFF = new CompactionPolicy(0, Duration.ofSeconds(1));

    /** Compact when a tenth of the pages held could be given back, checked every second. */
    public static final CompactionPolicy DEFAULT = new CompactionPolicy(10, Duration.ofSeconds(1));

    /**
     * Creates a policy; the canonical constructor, which checks both components.
     *
     * @param freeablePercent 0 (off) or 1 to 100.
     * @param interval        at least 1 ms.
     * @throws IllegalArgumentException naming the parameter and what is allowed.
     */
    public CompactionPolicy
    {
        if (freeablePercent < 0 || freeablePercent > 100)
        {
            throw new IllegalArgumentException("freeablePercent must be 0 (off) or 1 to 100, was " + freeablePercent);
        }
        if (interval == null || interval.toMillis() < 1)
        {
            throw new IllegalArgumentException("interval must be at least 1 ms, was " + interval);
        }
    }

    /**
     * {@return whether background compaction is on}
     */
    public boolean enabled()
    {
        return freeablePercent > 0;
    }

    /**
     * {@return whether that is enough fragmentation to compact}
     *
     * @param freeablePages pages compaction could give back now.
     * @param pagesHeld     pages the allocator holds.
     */
    public boolean shouldCompact(final double freeablePages, final long pagesHeld)
    {
        return enabled() && freeablePages >= Math.max(MIN_FREEABLE_PAGES, pagesHeld * freeablePercent / 100.0);
    }
}
