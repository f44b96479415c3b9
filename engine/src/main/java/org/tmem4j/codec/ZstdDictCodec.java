package org.tmem4j.codec;

import java.nio.ByteBuffer;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdException;

/**
 * zstd with a {@link ZstdDictionary}: one compression and one decompression context that reference the
 * dictionary's prepared forms (switching dictionaries is a pointer swap, never a digest). Frames are those of
 * {@link ZstdCodec}, without magic, content size, checksum or dictionary id: whoever stores a block records which
 * dictionary made it and how long its page is, so those bytes would be paid on every page for nothing.
 * <p>
 * Like every {@link Codec}, not thread-safe: one per compressor slot, guarded by its holder. {@link #use} picks the
 * dictionary of the next calls; a dictionary stays referenced (and cannot be closed) until another is used or
 * {@link #unload} is called.
 */
public final class ZstdDictCodec extends ByteBufferCodec
{
    private final int level;
    private final ZstdCompressCtx compressor;
    private final ZstdDecompressCtx decompressor;
    private ZstdDictionary compressing;
    private ZstdDictionary decompressing;
    private ZstdDictionary current;

    /**
     * Creates the contexts.
     *
     * @param level the zstd level pages are compressed at, {@value CodecSpec#ZSTD_MIN_LEVEL} to
     *              {@value CodecSpec#ZSTD_MAX_LEVEL}.
     */
    public ZstdDictCodec(final int level)
    {
        this.level = new CodecSpec(CodecSpec.ZSTD, level).level();
        final ZstdCompressCtx compressor = new ZstdCompressCtx();
        try
        {
            compressor.setLevel(this.level).setChecksum(false).setDictID(false).setMagicless(true)
                .setContentSize(false);
            this.decompressor = new ZstdDecompressCtx().setMagicless(true);
        }
        catch (final RuntimeException | Error ex)
        {
            compressor.close();
            throw ex;
        }
        this.compressor = compressor;
    }

    /**
     * Makes the next compressions and decompressions use this dictionary.
     *
     * @param dictionary an open dictionary.
     * @return this.
     */
    public ZstdDictCodec use(final ZstdDictionary dictionary)
    {
        current = dictionary;
        return this;
    }

    /**
     * Drops every reference to this dictionary, so that it can be closed.
     *
     * @param dictionary a dictionary this codec may have used.
     */
    public void unload(final ZstdDictionary dictionary)
    {
        if (current == dictionary)
        {
            current = null;
        }
        unloadCompressor(dictionary);
        if (decompressing == dictionary)
        {
            decompressor.loadDict((ZstdDictDecompress)null);
            decompressing = null;
        }
    }

    /**
     * Drops this codec's reference to the dictionary's form prepared for compressing, so that it can be
     * {@linkplain ZstdDictionary#retireCompressors() retired}; decompressing with it stays as it is.
     *
     * @param dictionary a dictionary this codec may have compressed with.
     */
    public void unloadCompressor(final ZstdDictionary dictionary)
    {
        if (compressing == dictionary)
        {
            compressor.loadDict((ZstdDictCompress)null);
            compressing = null;
        }
    }

    /**
     * {@return the zstd level of this codec}
     */
    public int level()
    {
        return level;
    }

    @Override
    public String name()
    {
        return CodecSpec.ZSTD;
    }

    @Override
    public int maxCompressedLength(final int srcLength)
    {
        return ZstdCodec.compressBound(srcLength);
    }

    @Override
    int compressBlock(final ByteBuffer src, final int srcOffset, final int srcLength,
        final ByteBuffer dst, final int dstOffset, final int dstCapacity)
    {
        final ZstdDictionary dictionary = requireDictionary();
        if (compressing != dictionary)
        {
            compressor.loadDict(dictionary.compressor(level));
            compressing = dictionary;
        }
        return compressor.compressDirectByteBuffer(dst, dstOffset, dstCapacity, src, srcOffset, srcLength);
    }

    @Override
    int decompressBlock(final ByteBuffer src, final int srcOffset, final int srcLength,
        final ByteBuffer dst, final int dstOffset, final int dstLength)
    {
        final ZstdDictionary dictionary = requireDictionary();
        if (decompressing != dictionary)
        {
            decompressor.loadDict(dictionary.decompressor());
            decompressing = dictionary;
        }
        try
        {
            return decompressor.decompressDirectByteBuffer(dst, dstOffset, dstLength, src, srcOffset, srcLength);
        }
        catch (final ZstdException ex)
        {
            throw new CorruptDataException("zstd with dictionary: malformed block of " + srcLength + " bytes " +
                "(expected to decompress to " + dstLength + " bytes): " + ex.getMessage(), ex);
        }
    }

    private ZstdDictionary requireDictionary()
    {
        if (current == null)
        {
            throw new IllegalStateException("no dictionary in use: call use(dictionary) first");
        }
        return current;
    }

    @Override
    void closeNative()
    {
        ZstdCodec.close(compressor, decompressor);
    }
}
