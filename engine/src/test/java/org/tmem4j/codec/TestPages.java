package org.tmem4j.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Page contents of the kinds a compressed-memory store sees, written into native memory. */
enum TestPages
{
    /** Uniform random bytes: incompressible, the worst case for both codecs. */
    RANDOM
    {
        @Override
        void write(final MemorySegment dst, final long off, final int len, final SplittableRandom random)
        {
            for (int i = 0; i < len; i += Long.BYTES)
            {
                dst.set(ValueLayout.JAVA_LONG_UNALIGNED, off + i, random.nextLong());
            }
        }
    },
    /** Words from a small vocabulary with random numbers: compresses about 2-4x, like text or heap objects. */
    COMPRESSIBLE
    {
        @Override
        void write(final MemorySegment dst, final long off, final int len, final SplittableRandom random)
        {
            final String[] words = {"page ", "object ", "index ", "pool ", "tmem ", "zbud ", "class ", "long "};
            int at = 0;
            while (at < len)
            {
                final String word = random.nextInt(4) == 0 ? Integer.toString(random.nextInt(1000)) + ' ' :
                    words[random.nextInt(words.length)];
                for (int i = 0; i < word.length() && at < len; i++, at++)
                {
                    dst.set(ValueLayout.JAVA_BYTE, off + at, (byte)word.charAt(i));
                }
            }
        }
    },
    /** Random bytes in the first 8th, zeros after: a partly used page. */
    MOSTLY_ZERO
    {
        @Override
        void write(final MemorySegment dst, final long off, final int len, final SplittableRandom random)
        {
            dst.asSlice(off, len).fill((byte)0);
            RANDOM.write(dst, off, len / 8, random);
        }
    },
    /** One random 8-byte word repeated. */
    SAME_FILLED
    {
        @Override
        void write(final MemorySegment dst, final long off, final int len, final SplittableRandom random)
        {
            final long word = random.nextLong();
            for (int i = 0; i < len; i += Long.BYTES)
            {
                dst.set(ValueLayout.JAVA_LONG_UNALIGNED, off + i, word);
            }
        }
    },
    /** All zeros. */
    ZERO
    {
        @Override
        void write(final MemorySegment dst, final long off, final int len, final SplittableRandom random)
        {
            dst.asSlice(off, len).fill((byte)0);
        }
    };

    /** Writes {@code len} bytes (a multiple of 8) of this kind at {@code dst[off]}. */
    abstract void write(MemorySegment dst, long off, int len, SplittableRandom random);
}
