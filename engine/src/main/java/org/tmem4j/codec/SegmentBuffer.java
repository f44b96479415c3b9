package org.tmem4j.codec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A direct {@link ByteBuffer} view of the last native segment seen, so the ByteBuffer APIs of lz4-java and zstd-jni
 * reach off-heap memory without a copy and, when the caller passes the same segment again (a slab of page memory,
 * a slot's buffer), without allocating a new view per call.
 * <p>
 * Segments over 2 GiB cannot be viewed whole; for them a view of just the range is made on each call.
 */
final class SegmentBuffer
{
    private MemorySegment segment;
    private ByteBuffer buffer;
    private long base;
    private int offset;

    /**
     * @return a direct buffer covering {@code segment[offset, offset + length)}; {@link #offset()} then gives where
     *         that range starts in it.
     */
    ByteBuffer wrap(final MemorySegment segment, final long offset, final int length)
    {
        if (segment != this.segment)
        {
            if (segment.byteSize() <= Integer.MAX_VALUE)
            {
                this.buffer = segment.asByteBuffer();
                this.base = 0;
                this.segment = segment;
            }
            else
            {
                this.buffer = segment.asSlice(offset, length).asByteBuffer();
                this.base = offset;
                this.segment = null;
            }
        }
        this.offset = (int)(offset - base);
        return buffer;
    }

    /**
     * @return the position of the range last passed to {@link #wrap} in the buffer it returned.
     */
    int offset()
    {
        return offset;
    }

    /** Forgets the last segment, so a closed arena's memory is no longer reachable from here. */
    void clear()
    {
        segment = null;
        buffer = null;
    }
}
