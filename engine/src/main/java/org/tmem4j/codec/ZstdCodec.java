package org.tmem4j.codec;

import java.nio.ByteBuffer;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

/**
 * zstd through zstd-jni, with one compression and one decompression context per codec, reused for every page:
 * creating a context per call (what {@code Zstd.compressUnsafe} does) costs more than compressing a 4 KiB page.
 * The level is set once.
 * <p>
 * <b>Frames</b> carry only what a stored page needs: no magic number, no content size (whoever stores a block knows
 * its page size and passes it to decompress, which checks it), no checksum (the engine has its own per-page checksum
 * option) and no dictionary id. That is 2 bytes of frame header instead of 7: 1.1 % of a database page's block at
 * zstd:3, 0.3-0.5 % of a JVM memory page's.
 */
final class ZstdCodec extends ByteBufferCodec
{
    private static final long SMALL_SOURCE = 128 << 10;

    private final ZstdCompressCtx compressor;
    private final ZstdDecompressCtx decompressor;

    ZstdCodec(final int level)
    {
        final ZstdCompressCtx compressor = new ZstdCompressCtx();
        try
        {
            compressor.setLevel(level).setChecksum(false).setDictID(false).setMagicless(true).setContentSize(false);
            this.decompressor = new ZstdDecompressCtx().setMagicless(true);
        }
        catch (final RuntimeException | Error ex)
        {
            compressor.close();
            throw ex;
        }
        this.compressor = compressor;
    }

    @Override
    public String name()
    {
        return CodecSpec.ZSTD;
    }

    @Override
    public int maxCompressedLength(final int srcLength)
    {
        return compressBound(srcLength);
    }

    /** {@code ZSTD_COMPRESSBOUND}, computed here rather than through a JNI call per page. */
    static int compressBound(final int srcLength)
    {
        final long length = srcLength;
        final long margin = length < SMALL_SOURCE ? (SMALL_SOURCE - length) >> 11 : 0;
        return Math.toIntExact(length + (length >> 8) + margin);
    }

    @Override
    int compressBlock(final ByteBuffer src, final int srcOffset, final int srcLength,
        final ByteBuffer dst, final int dstOffset, final int dstCapacity)
    {
        return compressor.compressDirectByteBuffer(dst, dstOffset, dstCapacity, src, srcOffset, srcLength);
    }

    @Override
    int decompressBlock(final ByteBuffer src, final int srcOffset, final int srcLength,
        final ByteBuffer dst, final int dstOffset, final int dstLength)
    {
        try
        {
            return decompressor.decompressDirectByteBuffer(dst, dstOffset, dstLength, src, srcOffset, srcLength);
        }
        catch (final ZstdException ex)
        {
            throw new CorruptDataException("zstd: malformed block of " + srcLength + " bytes (expected to " +
                "decompress to " + dstLength + " bytes): " + ex.getMessage(), ex);
        }
    }

    @Override
    void closeNative()
    {
        close(compressor, decompressor);
    }

    /** Frees both contexts, the second even if freeing the first fails. */
    static void close(final ZstdCompressCtx compressor, final ZstdDecompressCtx decompressor)
    {
        try
        {
            compressor.close();
        }
        finally
        {
            decompressor.close();
        }
    }
}
