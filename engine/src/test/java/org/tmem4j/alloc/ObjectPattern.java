package org.tmem4j.alloc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Deterministic contents for test objects: the bytes of object {@code id} are a pure function of (seed, id), so a
 * model only remembers ids and sizes and can still check every byte; objects that overlapped would corrupt each
 * other's patterns and be caught.
 */
public final class ObjectPattern
{
    private ObjectPattern()
    {
    }

    /**
     * Fills {@code dst[0, size)} with the pattern of {@code id}.
     */
    public static void fill(final MemorySegment dst, final long seed, final long id, final int size)
    {
        long x = mix(seed ^ (id * 0x9E3779B97F4A7C15L));
        int i = 0;
        for (; i + 8 <= size; i += 8)
        {
            x = next(x);
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, i, x);
        }
        for (; i < size; i++)
        {
            x = next(x);
            dst.set(ValueLayout.JAVA_BYTE, i, (byte)x);
        }
    }

    /**
     * @return the first offset where {@code actual[0, size)} differs from the pattern of {@code id}, or -1.
     */
    public static long mismatch(final MemorySegment actual, final MemorySegment scratch, final long seed,
        final long id, final int size)
    {
        fill(scratch, seed, id, size);
        return MemorySegment.mismatch(actual, 0, size, scratch, 0, size);
    }

    private static long mix(final long z0)
    {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long next(final long x0)
    {
        long x = x0;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }
}
