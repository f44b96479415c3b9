package org.tmem4j.codec;

import java.lang.foreign.MemorySegment;

/**
 * A block codec over off-heap memory: one page in, one self-contained compressed block out, and back.
 * <p>
 * Both directions read and write {@link MemorySegment}s of native memory directly; no byte is copied through the Java
 * heap. "The output does not fit" is a normal outcome on the hot path (an incompressible page against an admission
 * threshold) and is answered with the sentinel {@link #DOES_NOT_FIT}; malformed compressed input is an error and
 * raises {@link CorruptDataException}.
 * <p>
 * Implementations are <b>not thread-safe</b>: each owns native codec state (a zstd context, an LZ4 hash table) that
 * one call at a time may use. Share them through a {@link CompressorPool}, never one per thread. The memory passed
 * in must stay mapped for the duration of a call: a segment whose arena is closed by another thread during a call is
 * a caller bug that the native code cannot detect.
 */
public interface Codec extends AutoCloseable
{
    /** Answer of {@link #compress} when the compressed form would exceed the destination capacity. */
    int DOES_NOT_FIT = -1;

    /**
     * {@return the codec's name, {@code "lz4"} or {@code "zstd"}, as in {@link CodecSpec#name()}}
     */
    String name();

    /**
     * {@return the largest compressed length {@code srcLength} bytes can have: a destination this large always fits}
     *
     * @param srcLength the number of bytes to compress.
     */
    int maxCompressedLength(int srcLength);

    /**
     * Compresses {@code src[srcOffset, srcOffset + srcLength)} into {@code dst[dstOffset, dstOffset + dstCapacity)}.
     * Bytes of {@code dst} outside that range are never written.
     *
     * @param src         native memory to read.
     * @param srcOffset   offset of the first byte to compress.
     * @param srcLength   number of bytes to compress, at least 1.
     * @param dst         writable native memory to write the compressed block into.
     * @param dstOffset   offset of the block in {@code dst}.
     * @param dstCapacity the most bytes the block may take.
     * @return the compressed length, or {@link #DOES_NOT_FIT} when it would exceed {@code dstCapacity}.
     * @throws IllegalArgumentException if a segment is not native, {@code dst} is read-only, or a range is outside
     *                                  its segment.
     * @throws IllegalStateException    after {@link #close()}, or when a segment's arena is closed.
     */
    int compress(MemorySegment src, long srcOffset, int srcLength, MemorySegment dst, long dstOffset, int dstCapacity);

    /**
     * Decompresses the block {@code src[srcOffset, srcOffset + srcLength)} into exactly
     * {@code dst[dstOffset, dstOffset + dstLength)}. Bytes of {@code dst} outside that range are never written,
     * bytes of {@code src} outside its range are never read, whatever {@code src} holds.
     *
     * @param src       native memory holding a block made by {@link #compress} of a codec with the same name.
     * @param srcOffset offset of the block.
     * @param srcLength exact length of the block.
     * @param dst       writable native memory to write the original bytes into.
     * @param dstOffset offset of the first byte to write.
     * @param dstLength the original length the block must decompress to.
     * @return {@code dstLength}.
     * @throws CorruptDataException     if the block is malformed or decompresses to any length other than
     *                                  {@code dstLength}; the content of the destination range is then undefined.
     * @throws IllegalArgumentException if a segment is not native, {@code dst} is read-only, or a range is outside
     *                                  its segment.
     * @throws IllegalStateException    after {@link #close()}, or when a segment's arena is closed.
     */
    int decompress(MemorySegment src, long srcOffset, int srcLength, MemorySegment dst, long dstOffset, int dstLength);

    /**
     * Frees the native codec state. Idempotent; any other call afterwards throws {@link IllegalStateException}.
     */
    @Override
    void close();
}
