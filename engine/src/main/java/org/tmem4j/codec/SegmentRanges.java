package org.tmem4j.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The argument checks every {@link Codec} makes before native code sees raw addresses: each range is checked
 * against its segment, with a message naming the codec, the role and the bounds, and one byte of each non-empty
 * range is read through the segment first: that is where a closed arena or a segment confined to another thread is
 * detected, with the JDK's own exception, before native code could touch freed memory.
 */
final class SegmentRanges
{
    private SegmentRanges()
    {
    }

    /**
     * @param codec   the codec's name, for messages.
     * @param role    {@code "src"} or {@code "dst"}, for messages.
     * @throws IllegalArgumentException if the segment is not native or the range is outside it.
     */
    static void check(final String codec, final String role, final MemorySegment segment, final long offset,
        final int length)
    {
        if (!segment.isNative())
        {
            throw new IllegalArgumentException(codec + ": " + role + " must be native (off-heap) memory, got " +
                segment);
        }
        if (offset < 0 || length < 0 || offset > segment.byteSize() - length)
        {
            throw new IllegalArgumentException(codec + ": " + role + " range [" + offset + ", " + offset + " + " +
                length + ") is outside its segment of " + segment.byteSize() + " bytes");
        }
        if (length > 0)
        {
            segment.get(ValueLayout.JAVA_BYTE, offset);
        }
    }

    /**
     * {@link #check} for a destination, which must also be writable.
     *
     * @param codec the codec's name, for messages.
     * @throws IllegalArgumentException if the segment is not native or read-only, or the range is outside it.
     */
    static void checkWritable(final String codec, final MemorySegment segment, final long offset, final int length)
    {
        check(codec, "dst", segment, offset, length);
        if (segment.isReadOnly())
        {
            throw new IllegalArgumentException(codec + ": dst is read-only");
        }
    }
}
