package org.tmem4j.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The part of a {@link Codec} that is the same for every library taking direct {@link ByteBuffer}s: argument
 * checks with clear messages, views of the caller's segments, and the bounce buffer behind {@link #DOES_NOT_FIT}.
 * <p>
 * <b>Does not fit.</b> Both libraries signal a too-small destination by throwing, which costs microseconds (a stack
 * trace) on a path that is normal for incompressible pages. So when the destination is smaller than the worst case,
 * the block is compressed into an owned buffer of worst-case size and copied out only if it fits: a copy of at most
 * the capacity, far cheaper than an exception, and the destination outside the block is never touched.
 * <p>
 * <b>Safety.</b> The libraries see only raw addresses, so every range is checked first ({@link SegmentRanges}).
 */
abstract sealed class ByteBufferCodec implements Codec permits Lz4ByteBufferCodec, ZstdCodec
{
    private final SegmentBuffer source = new SegmentBuffer();
    private final SegmentBuffer destination = new SegmentBuffer();
    private MemorySegment bounce = MemorySegment.NULL;
    private ByteBuffer bounceBuffer;
    private boolean closed;

    /**
     * Compresses into a destination of at least {@link #maxCompressedLength} bytes.
     *
     * @return the compressed length.
     */
    abstract int compressBlock(ByteBuffer src, int srcOffset, int srcLength, ByteBuffer dst, int dstOffset,
        int dstCapacity);

    /**
     * @return the decompressed length, at most {@code dstLength}.
     * @throws CorruptDataException if the block is malformed or longer than {@code dstLength} once decompressed.
     */
    abstract int decompressBlock(ByteBuffer src, int srcOffset, int srcLength, ByteBuffer dst, int dstOffset,
        int dstLength);

    /** Frees the library's native state. */
    abstract void closeNative();

    @Override
    public final int compress(
        final MemorySegment src, final long srcOffset, final int srcLength,
        final MemorySegment dst, final long dstOffset, final int dstCapacity)
    {
        ensureOpen();
        SegmentRanges.check(name(), "src", src, srcOffset, srcLength);
        SegmentRanges.checkWritable(name(), dst, dstOffset, dstCapacity);
        if (srcLength <= 0)
        {
            throw new IllegalArgumentException(name() + ": nothing to compress, srcLength=" + srcLength);
        }
        final ByteBuffer in = source.wrap(src, srcOffset, srcLength);
        final int inOffset = source.offset();
        final int bound = maxCompressedLength(srcLength);
        if (dstCapacity >= bound)
        {
            final ByteBuffer out = destination.wrap(dst, dstOffset, dstCapacity);
            return compressBlock(in, inOffset, srcLength, out, destination.offset(), dstCapacity);
        }
        final int length = compressBlock(in, inOffset, srcLength, bounceBuffer(bound), 0, bound);
        if (length > dstCapacity)
        {
            return DOES_NOT_FIT;
        }
        MemorySegment.copy(bounce, 0, dst, dstOffset, length);
        return length;
    }

    @Override
    public final int decompress(
        final MemorySegment src, final long srcOffset, final int srcLength,
        final MemorySegment dst, final long dstOffset, final int dstLength)
    {
        ensureOpen();
        SegmentRanges.check(name(), "src", src, srcOffset, srcLength);
        SegmentRanges.checkWritable(name(), dst, dstOffset, dstLength);
        if (dstLength <= 0)
        {
            throw new IllegalArgumentException(name() + ": nothing to decompress into, dstLength=" + dstLength);
        }
        if (srcLength <= 0)
        {
            throw new CorruptDataException(name() + ": empty block cannot decompress to " + dstLength + " bytes");
        }
        final ByteBuffer in = source.wrap(src, srcOffset, srcLength);
        final int inOffset = source.offset();
        final ByteBuffer out = destination.wrap(dst, dstOffset, dstLength);
        final int length = decompressBlock(in, inOffset, srcLength, out, destination.offset(), dstLength);
        if (length != dstLength)
        {
            throw new CorruptDataException(name() + ": block of " + srcLength + " bytes decompressed to " + length +
                " bytes, expected " + dstLength);
        }
        return length;
    }

    @Override
    public final void close()
    {
        if (!closed)
        {
            closed = true;
            source.clear();
            destination.clear();
            bounce = MemorySegment.NULL;
            bounceBuffer = null;
            closeNative();
        }
    }

    private ByteBuffer bounceBuffer(final int bound)
    {
        if (bounce.byteSize() < bound)
        {
            // grows to the largest block seen, a few KiB; the automatic arena frees the old one once unreachable
            bounce = Arena.ofAuto().allocate(bound, Long.BYTES);
            bounceBuffer = bounce.asByteBuffer();
        }
        return bounceBuffer;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(name() + " codec is closed");
        }
    }
}
