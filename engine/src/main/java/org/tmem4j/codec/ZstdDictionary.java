package org.tmem4j.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdDictContentType;

/**
 * A zstd dictionary, trained on sample pages or made of sample pages themselves (raw content: no training, and on
 * database pages often the better of the two), kept off the heap and prepared once for compression and decompression
 * ({@code ZSTD_CDict}/{@code ZSTD_DDict}, which any number of {@link ZstdDictCodec}s share by reference: digesting
 * a dictionary costs far more than compressing a page with it).
 * <pre>
 *   samples (off-heap, page after page) --ZDICT_trainFromBuffer--> dictionary bytes (off-heap, owned here)
 *   dictionary bytes --by reference--> CDict per level, DDict
 * </pre>
 * The prepared forms point into the dictionary bytes, so those are freed only with them, by {@link #close()}, which
 * fails while a codec still has the dictionary loaded ({@link ZstdDictCodec#unload(ZstdDictionary)} first).
 * <p>
 * Thread-safe: the prepared forms are read-only once made; {@link #compressor(int)} makes further levels under
 * this object's monitor.
 */
public final class ZstdDictionary implements AutoCloseable
{
    /** The smallest dictionary zstd trains. */
    public static final int MIN_BYTES = 256;

    private final Arena arena;
    private final MemorySegment bytes;
    private final ZstdDictContentType type;
    private final ZstdDictDecompress decompressor;
    private final Map<Integer, ZstdDictCompress> compressors = new HashMap<>();
    private boolean compressorsRetired;
    private boolean closed;

    private ZstdDictionary(final Arena arena, final MemorySegment bytes, final int level,
        final ZstdDictContentType type)
    {
        this.arena = arena;
        this.bytes = bytes;
        this.type = type;
        this.decompressor = new ZstdDictDecompress(bytes.asByteBuffer(), true, type);
        try
        {
            compressor(level);
        }
        catch (final RuntimeException | Error ex)
        {
            decompressor.close();
            throw ex;
        }
    }

    /**
     * Trains a dictionary on samples.
     *
     * @param samples     native memory holding the samples back to back.
     * @param sampleSizes the length of each sample, in order; their sum at most {@code samples.byteSize()}.
     * @param maxBytes    the dictionary's largest size, at least {@value #MIN_BYTES}.
     * @param level       the zstd level the dictionary is tuned for and first prepared at.
     * @return the dictionary, or null when the samples teach zstd nothing (too few, or all alike).
     * @throws IllegalArgumentException if the samples are not native or the sizes do not fit them.
     */
    public static ZstdDictionary train(final MemorySegment samples, final int[] sampleSizes, final int maxBytes,
        final int level)
    {
        if (!samples.isNative())
        {
            throw new IllegalArgumentException("samples must be native memory");
        }
        if (maxBytes < MIN_BYTES)
        {
            throw new IllegalArgumentException("maxBytes must be at least " + MIN_BYTES + ", was " + maxBytes);
        }
        long total = 0;
        for (final int size : sampleSizes)
        {
            total += size;
        }
        if (total > samples.byteSize())
        {
            throw new IllegalArgumentException("sample sizes add up to " + total + " bytes, more than the " +
                samples.byteSize() + " given");
        }
        final ByteBuffer output = ByteBuffer.allocateDirect(maxBytes);
        final long trained = Zstd.trainFromBufferDirect(samples.asSlice(0, total).asByteBuffer(), sampleSizes,
            output, false, level);
        if (Zstd.isError(trained) || trained <= 0)
        {
            return null;
        }
        return of(MemorySegment.ofBuffer(output).asSlice(0, trained), level, ZstdDictContentType.AUTO);
    }

    /**
     * Makes a raw-content dictionary: the bytes themselves are what zstd finds matches in (a copy is taken).
     *
     * @param content the content, e.g. sample pages back to back.
     * @param level   the level it is first prepared at.
     * @return the dictionary.
     */
    public static ZstdDictionary ofContent(final MemorySegment content, final int level)
    {
        return of(content, level, ZstdDictContentType.RAW_CONTENT);
    }

    private static ZstdDictionary of(final MemorySegment dictionary, final int level,
        final ZstdDictContentType type)
    {
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment bytes = arena.allocate(dictionary.byteSize(), 64);
            MemorySegment.copy(dictionary, 0, bytes, 0, dictionary.byteSize());
            return new ZstdDictionary(arena, bytes, level, type);
        }
        catch (final RuntimeException | Error ex)
        {
            arena.close();
            throw ex;
        }
    }

    /**
     * {@return the dictionary's size in bytes: its off-heap bytes (the prepared forms are zstd's own)}
     */
    public int byteSize()
    {
        return (int)bytes.byteSize();
    }

    /**
     * {@return the dictionary prepared for compressing at that level, made on first use}
     *
     * @param level a zstd level.
     * @throws IllegalStateException after {@link #close()}.
     */
    synchronized ZstdDictCompress compressor(final int level)
    {
        if (closed)
        {
            throw new IllegalStateException("zstd dictionary is closed");
        }
        if (compressorsRetired)
        {
            throw new IllegalStateException("zstd dictionary is retired from compressing: it only decompresses");
        }
        ZstdDictCompress compressor = compressors.get(level);
        if (compressor == null)
        {
            compressor = new ZstdDictCompress(bytes.asByteBuffer(), level, true, type);
            compressors.put(level, compressor);
        }
        return compressor;
    }

    ZstdDictDecompress decompressor()
    {
        return decompressor;
    }

    /**
     * Frees the forms prepared for compressing, for good: the dictionary only decompresses from now on. A prepared
     * form is several times the dictionary's own bytes (at level 3, 513 KiB for a dictionary of 128 KiB; at level 9,
     * 2.5 MiB), and a dictionary that is no longer the one its pages are compressed with still has pages to read.
     * Codecs that compressed with it must have {@linkplain ZstdDictCodec#unloadCompressor unloaded} it first.
     */
    public synchronized void retireCompressors()
    {
        compressorsRetired = true;
        for (final ZstdDictCompress compressor : compressors.values())
        {
            compressor.close();
        }
        compressors.clear();
    }

    /**
     * {@return how many levels are prepared for compressing now}
     */
    public synchronized int preparedCompressors()
    {
        return compressors.size();
    }

    /**
     * Frees the prepared forms and the bytes. Idempotent.
     *
     * @throws IllegalStateException if a codec still has the dictionary loaded.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        for (final ZstdDictCompress compressor : compressors.values())
        {
            compressor.close();
        }
        compressors.clear();
        decompressor.close();
        closed = true;
        arena.close();
    }
}
