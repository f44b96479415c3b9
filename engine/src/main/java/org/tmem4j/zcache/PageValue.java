package org.tmem4j.zcache;

import org.tmem4j.tmem.TmemPool;

/**
 * How zcache encodes a stored page in the one {@code long} a tmem index slot holds, so that the index needs no
 * other per-page field:
 * <pre>
 *   63 62                                                    0
 *   [1 | word without bit 63                                   ]  same-filled page: the word, sign-extended from bit 62
 *   [0 | 0 | allocator handle (&gt; 0)                          ]  compressed page in one allocator object
 *   [0 | 1 | allocator handle of the span directory            ]  compressed page in several objects (large pages)
 *   [0 ..................................................... 0]  no page (TmemPool.EMPTY)
 * </pre>
 * A same-filled word fits when its two top bits are equal, which holds for zero, all ones, and every word whose
 * repeated byte is below 0x40 or at least 0xC0; other same-filled pages are compressed like any page (to a few
 * bytes). Allocator handles must stay below 2^62.
 */
final class PageValue
{
    /** Marks a value whose handle is a span directory. */
    static final long SPAN = 1L << 62;

    private PageValue()
    {
    }

    /**
     * @param word the repeated word of a same-filled page.
     * @return its value, or {@link TmemPool#EMPTY} if the word does not fit in 63 bits.
     */
    static long sameFilled(final long word)
    {
        return ((word << 1) >> 1) == word ? word | Long.MIN_VALUE : TmemPool.EMPTY;
    }

    static boolean isSameFilled(final long value)
    {
        return value < 0;
    }

    static long word(final long value)
    {
        return (value << 1) >> 1;
    }

    static boolean isSpanned(final long value)
    {
        return (value & SPAN) != 0;
    }

    static long handle(final long value)
    {
        return value & ~SPAN;
    }
}
