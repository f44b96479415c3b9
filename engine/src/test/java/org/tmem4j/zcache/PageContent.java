package org.tmem4j.zcache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Test pages whose bytes follow from a seed and an id, so a test keeps only ids in its model: same-filled pages
 * (ids ≡ 0, 1 mod 10), incompressible random pages (≡ 2) and compressible pages of words drawn from a small
 * alphabet (the rest).
 */
public final class PageContent
{
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    private PageContent()
    {
    }

    /**
     * @param id a page id.
     * @return whether the page of that id is random bytes, which no codec shrinks to 7/8.
     */
    public static boolean isIncompressible(final long id)
    {
        return Math.floorMod(id, 10) == 2;
    }

    /**
     * @param id a page id.
     * @return whether the page of that id is one word repeated.
     */
    public static boolean isSameFilled(final long id)
    {
        return Math.floorMod(id, 10) < 2;
    }

    /**
     * Writes the page of an id.
     *
     * @param page     where, {@code pageSize} bytes from offset 0.
     * @param pageSize bytes to write, a multiple of 8.
     * @param seed     the test's seed.
     * @param id       the page id.
     */
    public static void fill(final MemorySegment page, final int pageSize, final long seed, final long id)
    {
        final SplittableRandom random = new SplittableRandom(seed * 31 + id);
        final int wordCount = pageSize / Long.BYTES;
        if (isSameFilled(id))
        {
            final long word = Math.floorMod(id, 20) < 10 ? 0 : random.nextLong();
            for (int i = 0; i < wordCount; i++)
            {
                page.setAtIndex(WORD, i, word);
            }
            return;
        }
        if (isIncompressible(id))
        {
            for (int i = 0; i < wordCount; i++)
            {
                page.setAtIndex(WORD, i, random.nextLong());
            }
            return;
        }
        final long[] alphabet = new long[16];
        for (int i = 0; i < alphabet.length; i++)
        {
            alphabet[i] = random.nextLong();
        }
        final long[] words = new long[wordCount];
        for (int i = 0; i < wordCount; i += 16)
        {
            long choices = random.nextLong();
            for (int j = i; j < Math.min(wordCount, i + 16); j++, choices >>>= 4)
            {
                words[j] = alphabet[(int)choices & 15];
            }
        }
        MemorySegment.copy(words, 0, page, WORD, 0, wordCount);
        page.setAtIndex(WORD, 0, id);
    }
}
