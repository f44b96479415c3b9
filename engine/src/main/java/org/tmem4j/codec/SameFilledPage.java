package org.tmem4j.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Same-filled pages: a page that is one 8-byte word repeated (zeros above all) is stored as that word, with no
 * compression and no allocation, as zram and zswap do. Words are read in native byte order, so
 * {@code fill(word(page))} rebuilds the page byte for byte.
 * <p>
 * Ranges must be native memory, 8-byte multiples in length; offsets need not be aligned.
 */
public final class SameFilledPage
{
    private static final ValueLayout.OfLong WORD =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private SameFilledPage()
    {
    }

    /**
     * {@return whether every 8-byte word of the page equals the first}
     *
     * @param page native memory holding the page.
     * @param off  offset of the page.
     * @param len  length of the page, a positive multiple of 8.
     * @throws IllegalArgumentException if the length is not a positive multiple of 8 or the range is outside the
     *                                  segment.
     */
    public static boolean isSameFilled(final MemorySegment page, final long off, final int len)
    {
        checkRange(page, off, len);
        final long end = off + len;
        // the second word first: most pages differ within their first line, which the codec reads next anyway
        if (len > Long.BYTES && page.get(WORD, off + Long.BYTES) != page.get(WORD, off))
        {
            return false;
        }
        // every byte equals the one 8 bytes before it iff the page is one word repeated; mismatch is vectorized
        return MemorySegment.mismatch(page, off, end - Long.BYTES, page, off + Long.BYTES, end) < 0;
    }

    /**
     * {@return the page's first 8-byte word in native order: the word a same-filled page repeats}
     *
     * @param page native memory holding the page.
     * @param off  offset of the page.
     * @param len  length of the page, a positive multiple of 8.
     */
    public static long word(final MemorySegment page, final long off, final int len)
    {
        checkRange(page, off, len);
        return page.get(WORD, off);
    }

    /**
     * Writes {@code word} over {@code dst[off, off + len)}.
     *
     * @param dst  writable memory.
     * @param off  offset of the page.
     * @param len  length of the page, a positive multiple of 8.
     * @param word the word from {@link #word}.
     */
    public static void fill(final MemorySegment dst, final long off, final int len, final long word)
    {
        checkRange(dst, off, len);
        if (dst.isReadOnly())
        {
            throw new IllegalArgumentException("cannot fill a read-only page");
        }
        if (word == 0)
        {
            dst.asSlice(off, len).fill((byte)0);
            return;
        }
        final long end = off + len;
        for (long at = off; at < end; at += Long.BYTES)
        {
            dst.set(WORD, at, word);
        }
    }

    private static void checkRange(final MemorySegment segment, final long off, final int len)
    {
        if (len <= 0 || (len & (Long.BYTES - 1)) != 0)
        {
            throw new IllegalArgumentException("page length must be a positive multiple of 8, got " + len);
        }
        if (off < 0 || off > segment.byteSize() - len)
        {
            throw new IllegalArgumentException("page range [" + off + ", " + off + " + " + len +
                ") is outside its segment of " + segment.byteSize() + " bytes");
        }
    }
}
