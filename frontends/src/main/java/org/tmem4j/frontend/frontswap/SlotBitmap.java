package org.tmem4j.frontend.frontswap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One bit per swap slot, safe for threads that change different bits of the same word at once (each change is one
 * atomic bitwise operation on its word). Whoever needs a bit to stay put while acting on it holds the slot's lock.
 */
final class SlotBitmap
{
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] words;
    private final int bits;

    SlotBitmap(final int bits)
    {
        this.bits = bits;
        this.words = new long[(bits + 63) >>> 6];
    }

    boolean get(final int bit)
    {
        return ((long)WORDS.getVolatile(words, bit >>> 6) & (1L << bit)) != 0;
    }

    /**
     * @return whether the bit was clear (this call set it).
     */
    boolean set(final int bit)
    {
        final long mask = 1L << bit;
        return ((long)WORDS.getAndBitwiseOr(words, bit >>> 6, mask) & mask) == 0;
    }

    /**
     * @return whether the bit was set (this call cleared it).
     */
    boolean clear(final int bit)
    {
        final long mask = 1L << bit;
        return ((long)WORDS.getAndBitwiseAnd(words, bit >>> 6, ~mask) & mask) != 0;
    }

    /**
     * Sets the first clear bit at or after {@code from}, wrapping around once.
     *
     * @return the bit set, or {@code -1} if every bit is set.
     */
    int setFirstClear(final int from)
    {
        final int wordCount = words.length;
        final int start = from >>> 6;
        for (int n = 0; n <= wordCount; n++)
        {
            final int w = (start + n) % wordCount;
            long word = (long)WORDS.getVolatile(words, w);
            while (word != -1L)
            {
                final int bit = (w << 6) + Long.numberOfTrailingZeros(~word);
                if (bit >= bits)
                {
                    break;
                }
                final long mask = 1L << bit;
                final long witness = (long)WORDS.compareAndExchange(words, w, word, word | mask);
                if (witness == word)
                {
                    return bit;
                }
                word = witness;
            }
        }
        return -1;
    }

    /**
     * @return the first set bit at or after {@code from}, or {@code -1}.
     */
    int nextSet(final int from)
    {
        if (from >= bits)
        {
            return -1;
        }
        int w = from >>> 6;
        long word = (long)WORDS.getVolatile(words, w) & (-1L << from);
        while (true)
        {
            if (word != 0)
            {
                final int bit = (w << 6) + Long.numberOfTrailingZeros(word);
                return bit < bits ? bit : -1;
            }
            if (++w == words.length)
            {
                return -1;
            }
            word = (long)WORDS.getVolatile(words, w);
        }
    }

    int cardinality()
    {
        int count = 0;
        for (int w = 0; w < words.length; w++)
        {
            count += Long.bitCount((long)WORDS.getVolatile(words, w));
        }
        return count;
    }

    void clearAll()
    {
        for (int w = 0; w < words.length; w++)
        {
            WORDS.setVolatile(words, w, 0L);
        }
    }
}
