package org.tmem4j.jmh.peer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Pages compressed the way a Java user of a heap or off-heap cache would: copy the page into a {@code byte[]},
 * LZ4-compress it with lz4-java's native fast compressor into an exact-size {@code byte[]} value, and on a hit
 * decompress with the safe decompressor. Both lz4-java paths are thread-safe; the scratch arrays are per thread.
 */
final class Lz4Pages
{
    private static final LZ4Compressor COMPRESSOR = LZ4Factory.nativeInstance().fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.nativeInstance().safeDecompressor();
    private static final int MAX_COMPRESSED = COMPRESSOR.maxCompressedLength(PageStore.PAGE_SIZE);

    /** One thread's page-sized input and bound-sized output. */
    private static final ThreadLocal<byte[][]> SCRATCH =
        ThreadLocal.withInitial(() -> new byte[][] {new byte[PageStore.PAGE_SIZE], new byte[MAX_COMPRESSED]});

    private Lz4Pages()
    {
    }

    /**
     * @param page {@value PageStore#PAGE_SIZE} bytes.
     * @return the page LZ4-compressed, in an array of exactly its compressed length.
     */
    static byte[] compress(final MemorySegment page)
    {
        final byte[][] scratch = SCRATCH.get();
        MemorySegment.copy(page, ValueLayout.JAVA_BYTE, 0, scratch[0], 0, PageStore.PAGE_SIZE);
        final int length = COMPRESSOR.compress(scratch[0], 0, PageStore.PAGE_SIZE, scratch[1], 0, MAX_COMPRESSED);
        return Arrays.copyOf(scratch[1], length);
    }

    /**
     * @param compressed what {@link #compress} returned.
     * @param dst        {@value PageStore#PAGE_SIZE} bytes to fill with the page.
     */
    static void decompress(final byte[] compressed, final MemorySegment dst)
    {
        final byte[] page = SCRATCH.get()[0];
        final int length = DECOMPRESSOR.decompress(compressed, 0, compressed.length, page, 0, PageStore.PAGE_SIZE);
        if (length != PageStore.PAGE_SIZE)
        {
            throw new IllegalStateException("a stored page decompressed to " + length + " bytes, not "
                + PageStore.PAGE_SIZE);
        }
        MemorySegment.copy(page, 0, dst, ValueLayout.JAVA_BYTE, 0, PageStore.PAGE_SIZE);
    }
}
