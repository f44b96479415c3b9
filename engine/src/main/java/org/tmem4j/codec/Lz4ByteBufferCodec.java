package org.tmem4j.codec;

import java.nio.ByteBuffer;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4JNIFastResetCompressor;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * LZ4 through lz4-java's JNI entry points, for where {@link Lz4Codec}'s direct downcalls cannot be linked (see
 * {@link Lz4Native#isAvailable()}): the JNI fast compressor in its fast-reset form, which keeps one
 * initialised {@code LZ4_stream_t} per codec instead of clearing a fresh 16 KiB hash table on the stack for every
 * page, and the native <i>safe</i> decompressor, which bounds every read by the block length and every write by the
 * destination length whatever the block holds. The JNI "fast" decompressor trusts its input and is never used.
 */
final class Lz4ByteBufferCodec extends ByteBufferCodec
{
    private static final LZ4Factory FACTORY = LZ4Factory.nativeInstance();
    private static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();

    private final LZ4JNIFastResetCompressor compressor;

    Lz4ByteBufferCodec(final int acceleration)
    {
        this.compressor = FACTORY.fastResetCompressor(acceleration);
    }

    @Override
    public String name()
    {
        return CodecSpec.LZ4;
    }

    @Override
    public int maxCompressedLength(final int srcLength)
    {
        return compressor.maxCompressedLength(srcLength);
    }

    @Override
    int compressBlock(final ByteBuffer src, final int srcOffset, final int srcLength,
        final ByteBuffer dst, final int dstOffset, final int dstCapacity)
    {
        return compressor.compress(src, srcOffset, srcLength, dst, dstOffset, dstCapacity);
    }

    @Override
    int decompressBlock(final ByteBuffer src, final int srcOffset, final int srcLength,
        final ByteBuffer dst, final int dstOffset, final int dstLength)
    {
        try
        {
            return DECOMPRESSOR.decompress(src, srcOffset, srcLength, dst, dstOffset, dstLength);
        }
        catch (final LZ4Exception ex)
        {
            throw new CorruptDataException("lz4: malformed block of " + srcLength + " bytes (expected to decompress " +
                "to " + dstLength + " bytes): " + ex.getMessage(), ex);
        }
    }

    @Override
    void closeNative()
    {
        compressor.close();
    }
}
