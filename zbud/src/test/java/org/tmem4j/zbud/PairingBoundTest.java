package org.tmem4j.zbud;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pairing bound against an exhaustive search over every pairing of small sets.
 */
final class PairingBoundTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());

    /** Fewest pages by trying every partner (or none) for the first unplaced object: exponential, exact. */
    private static int bruteForce(final int[] sizes, final int pageSize, final int granularity, final int placed)
    {
        int first = 0;
        while (first < sizes.length && (placed & (1 << first)) != 0)
        {
            first++;
        }
        if (first == sizes.length)
        {
            return 0;
        }
        final int withFirst = placed | (1 << first);
        int best = 1 + bruteForce(sizes, pageSize, granularity, withFirst);
        for (int other = first + 1; other < sizes.length; other++)
        {
            if ((withFirst & (1 << other)) == 0 &&
                round(sizes[first], granularity) + round(sizes[other], granularity) <= pageSize)
            {
                best = Math.min(best, 1 + bruteForce(sizes, pageSize, granularity, withFirst | (1 << other)));
            }
        }
        return best;
    }

    private static int round(final int size, final int granularity)
    {
        return (size + granularity - 1) / granularity * granularity;
    }

    @Test
    void matchesExhaustiveSearchOnSmallSets()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final int pageSize = 64;
        for (int trial = 0; trial < 3000; trial++)
        {
            final int n = random.nextInt(11);
            final int granularity = new int[]{1, 2, 8}[random.nextInt(3)];
            final int[] sizes = new int[n];
            for (int i = 0; i < n; i++)
            {
                sizes[i] = 1 + random.nextInt(pageSize);
            }
            assertEquals(bruteForce(sizes, pageSize, granularity, 0),
                PairingBound.minPages(sizes, pageSize, granularity),
                "sizes " + java.util.Arrays.toString(sizes) + " granularity " + granularity + "; seed " + SEED);
        }
    }

    @Test
    void knownCases()
    {
        assertEquals(0, PairingBound.minPages(new int[0], 4096, 1));
        assertEquals(1, PairingBound.minPages(new int[]{2048, 2048}, 4096, 64));
        assertEquals(2, PairingBound.minPages(new int[]{2049, 2048}, 4096, 64));
        assertEquals(1, PairingBound.minPages(new int[]{2049, 2047}, 4096, 1));
        assertEquals(2, PairingBound.minPages(new int[]{2049, 2047}, 4096, 64));
        assertEquals(2, PairingBound.minPages(new int[]{1, 1, 1}, 4096, 1), "never three to a page");
        assertEquals(3, PairingBound.minPages(new int[]{4096, 4000, 100, 50}, 4096, 1));
        assertEquals(1.0, PairingBound.density(new int[]{1000, 3096}, 1));
        assertEquals(0.0, PairingBound.density(new int[0], 64));
    }

    @Test
    void badArgumentsNameTheRange()
    {
        final IllegalArgumentException big =
            assertThrows(IllegalArgumentException.class, () -> PairingBound.minPages(new int[]{4097}, 4096, 1));
        assertTrue(big.getMessage().contains("4096") && big.getMessage().contains("4097"), big.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PairingBound.minPages(new int[]{0}, 4096, 1));
        assertThrows(IllegalArgumentException.class, () -> PairingBound.minPages(new int[]{5}, 4096, 100));
    }
}
