package org.tmem4j.zbud;

import org.tmem4j.memory.PageMemory;

/**
 * The best any two-per-page allocator could do with a given set of object sizes: the fewest pages that hold them
 * all when a page holds at most two objects whose sizes, each rounded up to a granularity, add up to no more than a
 * page. It is the yardstick for zbud's density: zbud decides online, as objects arrive, what this computes with
 * every size known in advance.
 * <p>
 * The fewest pages is {@code n} minus the largest number of disjoint fitting pairs, and that number is found
 * greedily on the sorted sizes: the largest remaining object either fits with the smallest remaining one, or it
 * fits with none and takes a page alone. (If the largest fits with anything it fits with the smallest; exchanging
 * partners in an optimal pairing shows pairing those two costs nothing.) Sizes are counted, not sorted, so the
 * bound costs O(n + page size).
 */
public final class PairingBound
{
    private PairingBound()
    {
    }

    /**
     * {@return the fewest pages that hold every object, two at most per page}
     *
     * @param sizes       object sizes, each from 1 to {@code pageSize}.
     * @param pageSize    bytes a page holds.
     * @param granularity each size is rounded up to a multiple of this first (1 for exact bytes, 64 for zbud's
     *                    chunks); it must divide {@code pageSize}.
     * @throws IllegalArgumentException for a size outside 1..{@code pageSize} or a granularity that does not
     * divide the page.
     */
    public static long minPages(final int[] sizes, final int pageSize, final int granularity)
    {
        if (pageSize < 1 || granularity < 1 || pageSize % granularity != 0)
        {
            throw new IllegalArgumentException(
                "granularity " + granularity + " must be >= 1 and divide the page size " + pageSize);
        }
        final int units = pageSize / granularity;
        final long[] count = new long[units + 1];
        for (final int size : sizes)
        {
            if (size < 1 || size > pageSize)
            {
                throw new IllegalArgumentException("object size must be from 1 to " + pageSize + ", was " + size);
            }
            count[(size + granularity - 1) / granularity]++;
        }
        long pairs = 0;
        int small = 1;
        int large = units;
        while (true)
        {
            while (small <= units && count[small] == 0)
            {
                small++;
            }
            while (large >= 1 && count[large] == 0)
            {
                large--;
            }
            if (small > large)
            {
                break;
            }
            if (small == large)
            {
                // both from one group: pair within it if two fit together, else every one stays alone
                if (2 * small <= units)
                {
                    pairs += count[small] / 2;
                }
                break;
            }
            if (small + large <= units)
            {
                final long matched = Math.min(count[small], count[large]);
                pairs += matched;
                count[small] -= matched;
                count[large] -= matched;
            }
            else
            {
                count[large] = 0;
            }
        }
        return sizes.length - pairs;
    }

    /**
     * {@return stored bytes over the bytes of {@link #minPages} pages: the highest density two-per-page packing of
     * these sizes reaches (0 for no objects)}
     *
     * @param sizes object sizes, each from 1 to {@link PageMemory#PAGE_SIZE}.
     * @param granularity as for {@link #minPages(int[], int, int)}.
     */
    public static double density(final int[] sizes, final int granularity)
    {
        final long pages = minPages(sizes, PageMemory.PAGE_SIZE, granularity);
        long bytes = 0;
        for (final int size : sizes)
        {
            bytes += size;
        }
        return pages == 0 ? 0.0 : (double)bytes / ((double)pages * PageMemory.PAGE_SIZE);
    }
}
