package org.tmem4j.jmh.alloc;

import java.util.SplittableRandom;

/**
 * Object sizes the way LZ4 leaves 4 KiB pages of text and code: around 1.6 KiB, normally spread by 300 bytes.
 */
final class Sizes
{
    private Sizes()
    {
    }

    static int[] compressedPages(final int count, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int[] sizes = new int[count];
        for (int i = 0; i < count; i++)
        {
            sizes[i] = (int)Math.max(64, Math.min(4096, 1640 + random.nextGaussian() * 300));
        }
        return sizes;
    }
}
