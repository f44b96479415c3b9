package org.tmem4j.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * A 32-bit checksum of a page: xxHash32 over off-heap memory, read in place by the native {@code XXH32} of
 * lz4-java's library through a direct downcall ({@link Lz4Native}), or, where that cannot be linked, by lz4-java's
 * fastest implementation through a direct buffer view. Stored next to a compressed page, it turns memory corruption
 * behind the page into a detected error on the next get instead of wrong bytes.
 * <p>
 * Thread-safe. A call through the downcall allocates nothing.
 */
public final class PageChecksum
{
    /** Seed of every page checksum; fixed, so checksums are comparable across runs and processes. */
    public static final int SEED = 0x746d656d;

    private static final XXHash32 HASH = XXHashFactory.fastestInstance().hash32();
    private static final byte[] NOTHING = new byte[0];

    private PageChecksum()
    {
    }

    /**
     * {@return the xxHash32 of {@code seg[off, off + len)} with seed {@link #SEED}}
     *
     * @param seg native memory.
     * @param off offset of the first byte.
     * @param len number of bytes, at least 0.
     * @throws IllegalArgumentException if the segment is not native or the range is outside it.
     * @throws IllegalStateException    if the segment's arena is closed.
     */
    public static int of(final MemorySegment seg, final long off, final int len)
    {
        if (!seg.isNative())
        {
            throw new IllegalArgumentException("checksum needs native (off-heap) memory, got " + seg);
        }
        if (off < 0 || len < 0 || off > seg.byteSize() - len)
        {
            throw new IllegalArgumentException("checksum range [" + off + ", " + off + " + " + len +
                ") is outside its segment of " + seg.byteSize() + " bytes");
        }
        if (len == 0)
        {
            return HASH.hash(NOTHING, 0, 0, SEED);
        }
        // reading one byte through the segment checks liveness and confinement before native code reads
        seg.get(ValueLayout.JAVA_BYTE, off);
        if (Lz4Native.isAvailable())
        {
            return Lz4Native.xxh32(seg.address() + off, len, SEED);
        }
        final ByteBuffer view = seg.asSlice(off, len).asByteBuffer();
        return HASH.hash(view, 0, len, SEED);
    }
}
