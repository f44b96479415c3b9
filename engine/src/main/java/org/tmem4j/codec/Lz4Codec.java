package org.tmem4j.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * LZ4 through direct downcalls into lz4-java's native library ({@link Lz4Native}): the fast compressor in its
 * fast-reset form, on one {@code LZ4_stream_t} per codec initialised once (instead of clearing a fresh 16 KiB hash
 * table for every page), and the <i>safe</i> decompressor, which bounds every read by the block length and every
 * write by the destination length whatever the block holds.
 * <p>
 * A call allocates nothing and makes no copy: the library reads and writes the caller's segments in place.
 * <p>
 * <b>Does not fit.</b> Given less than the worst case, the library stops at the capacity and answers 0, but leaves
 * a partial block behind, and the {@link Codec} contract promises an untouched destination. So a destination below
 * the worst case gets the block compressed into an owned buffer first and copied out only if it fits (a copy of at
 * most the capacity; the engine's compressor slots always pass the worst case and never take this path).
 */
final class Lz4Codec implements Codec
{
    private final int acceleration;
    private final Arena arena = Arena.ofShared();
    private final long state;
    private MemorySegment bounce = MemorySegment.NULL;
    private boolean closed;

    private Lz4Codec(final int acceleration)
    {
        this.acceleration = acceleration;
        final MemorySegment stream = arena.allocate(Lz4Native.stateSize(), Long.BYTES);
        try
        {
            Lz4Native.initStream(stream);
        }
        catch (final RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
        this.state = stream.address();
    }

    /**
     * {@return an LZ4 codec: this one where the library links, else {@link Lz4ByteBufferCodec}}
     *
     * @param acceleration LZ4's acceleration, as {@link CodecSpec#level()} gives it.
     */
    static Codec create(final int acceleration)
    {
        return Lz4Native.isAvailable() ? new Lz4Codec(acceleration) : new Lz4ByteBufferCodec(acceleration);
    }

    @Override
    public String name()
    {
        return CodecSpec.LZ4;
    }

    @Override
    public int maxCompressedLength(final int srcLength)
    {
        // LZ4_COMPRESSBOUND, as lz4-java computes it
        return srcLength + srcLength / 255 + 16;
    }

    @Override
    public int compress(
        final MemorySegment src, final long srcOffset, final int srcLength,
        final MemorySegment dst, final long dstOffset, final int dstCapacity)
    {
        ensureOpen();
        SegmentRanges.check(CodecSpec.LZ4, "src", src, srcOffset, srcLength);
        SegmentRanges.checkWritable(CodecSpec.LZ4, dst, dstOffset, dstCapacity);
        if (srcLength <= 0 || srcLength > Lz4Native.MAX_INPUT_SIZE)
        {
            throw new IllegalArgumentException(srcLength <= 0 ? "lz4: nothing to compress, srcLength=" + srcLength :
                "lz4: srcLength=" + srcLength + " exceeds LZ4's largest input, " + Lz4Native.MAX_INPUT_SIZE);
        }
        final int bound = maxCompressedLength(srcLength);
        if (dstCapacity >= bound)
        {
            return Lz4Native.compress(state, src.address() + srcOffset, dst.address() + dstOffset, srcLength,
                dstCapacity, acceleration);
        }
        if (bounce.byteSize() < bound)
        {
            // grows to the largest block seen, a few KiB; the automatic arena frees the old one once unreachable
            bounce = Arena.ofAuto().allocate(bound, Long.BYTES);
        }
        final int length = Lz4Native.compress(state, src.address() + srcOffset, bounce.address(), srcLength, bound,
            acceleration);
        if (length > dstCapacity)
        {
            return DOES_NOT_FIT;
        }
        MemorySegment.copy(bounce, 0, dst, dstOffset, length);
        return length;
    }

    @Override
    public int decompress(
        final MemorySegment src, final long srcOffset, final int srcLength,
        final MemorySegment dst, final long dstOffset, final int dstLength)
    {
        ensureOpen();
        SegmentRanges.check(CodecSpec.LZ4, "src", src, srcOffset, srcLength);
        SegmentRanges.checkWritable(CodecSpec.LZ4, dst, dstOffset, dstLength);
        if (dstLength <= 0)
        {
            throw new IllegalArgumentException("lz4: nothing to decompress into, dstLength=" + dstLength);
        }
        if (srcLength <= 0)
        {
            throw new CorruptDataException("lz4: empty block cannot decompress to " + dstLength + " bytes");
        }
        final int length = Lz4Native.decompress(src.address() + srcOffset, dst.address() + dstOffset, srcLength,
            dstLength);
        if (length != dstLength)
        {
            throw new CorruptDataException(length < 0 ?
                "lz4: malformed block of " + srcLength + " bytes (expected to decompress to " + dstLength + " bytes)" :
                "lz4: block of " + srcLength + " bytes decompressed to " + length + " bytes, expected " + dstLength);
        }
        return length;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            bounce = MemorySegment.NULL;
            arena.close();
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("lz4 codec is closed");
        }
    }
}
