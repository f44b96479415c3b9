package org.tmem4j.hardening;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Page contents that are a pure function of (key, version), so a checker remembers only versions and still checks
 * every byte, and a page of another key or version is told apart. The mix is what the engine meets: text-like pages
 * that compress to 1-2 KiB, incompressible ones (stored raw or rejected), same-filled ones (stored as a word), and
 * sparse ones that compress to a few dozen bytes.
 */
final class VersionedPage
{
    private static final byte[] WORDS = (" page memory tmem zcache zbud zsmalloc cleancache frontswap compress"
        + " budget evict handle bucket radix codec checksum slab arena persistent ephemeral").getBytes();

    private VersionedPage()
    {
    }

    /**
     * Fills {@code dst[0, size)} with the contents of page {@code key} at {@code version}.
     */
    static void fill(final MemorySegment dst, final int size, final long key, final long version)
    {
        final long h = mix(key * 0x9E3779B97F4A7C15L ^ version);
        switch ((int)((h >>> 60) % 10))
        {
            case 0 -> sameFilled(dst, size, h);
            case 1, 2 -> random(dst, size, h);
            case 3 -> sparse(dst, size, h);
            default -> text(dst, size, h);
        }
        if ((int)((h >>> 60) % 10) != 0)
        {
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, key);
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, version);
        }
    }

    /**
     * @return the first offset where {@code actual[0, size)} differs from page {@code key} at {@code version}, or
     * -1; {@code scratch} receives the expected contents.
     */
    static long mismatch(final MemorySegment actual, final MemorySegment scratch, final int size, final long key,
        final long version)
    {
        fill(scratch, size, key, version);
        return MemorySegment.mismatch(actual, 0, size, scratch, 0, size);
    }

    private static void sameFilled(final MemorySegment dst, final int size, final long word)
    {
        for (int i = 0; i < size; i += 8)
        {
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, i, word);
        }
    }

    private static void random(final MemorySegment dst, final int size, final long seed)
    {
        long x = seed | 1;
        for (int i = 0; i < size; i += 8)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, i, x);
        }
    }

    private static void sparse(final MemorySegment dst, final int size, final long seed)
    {
        dst.asSlice(0, size).fill((byte)0);
        long x = seed | 1;
        for (int i = 0; i < 16; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, Math.floorMod(x, size - 8) & ~7, x);
        }
    }

    /**
     * Fills {@code dst[0, size)} with text-like bytes that always compress well, a pure function of {@code seed}.
     */
    static void text(final MemorySegment dst, final int size, final long seed)
    {
        long x = seed | 1;
        int i = 0;
        while (i < size)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            final int start = Math.floorMod(x, WORDS.length - 24);
            final int length = 8 + (int)((x >>> 32) & 15);
            for (int j = 0; j < length && i < size; j++, i++)
            {
                dst.set(ValueLayout.JAVA_BYTE, i, WORDS[start + j]);
            }
        }
    }

    private static long mix(final long z0)
    {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
