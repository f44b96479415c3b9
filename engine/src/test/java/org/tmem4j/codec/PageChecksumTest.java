package org.tmem4j.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PageChecksumTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());

    /** The off-heap checksum equals lz4-java's pure-Java xxHash32 of the same bytes copied to the heap. */
    @Test
    void matchesThePureJavaHashOfTheSameBytes()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment memory = arena.allocate(65536 + 64);
            for (final TestPages kind : TestPages.values())
            {
                for (final int length : new int[] {0, 1, 15, 16, 4096, 65536})
                {
                    final int offset = random.nextInt(64);
                    kind.write(memory, 0, 65536 + 64, random);
                    final byte[] copy = memory.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
                    assertEquals(XXHashFactory.safeInstance().hash32().hash(copy, 0, length, PageChecksum.SEED),
                        PageChecksum.of(memory, offset, length), kind + " " + length + "; seed " + SEED);
                }
            }
        }
    }

    /** Every single-bit flip of a page changes its checksum. */
    @Test
    void changesWithEveryBitFlip()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            TestPages.COMPRESSIBLE.write(page, 0, 4096, new SplittableRandom(SEED));
            final int original = PageChecksum.of(page, 0, 4096);
            for (int bit = 0; bit < 4096 * 8; bit++)
            {
                final byte before = page.get(ValueLayout.JAVA_BYTE, bit >>> 3);
                page.set(ValueLayout.JAVA_BYTE, bit >>> 3, (byte)(before ^ (1 << (bit & 7))));
                assertNotEquals(original, PageChecksum.of(page, 0, 4096), "bit " + bit + "; seed " + SEED);
                page.set(ValueLayout.JAVA_BYTE, bit >>> 3, before);
            }
            assertEquals(original, PageChecksum.of(page, 0, 4096));
        }
    }

    @Test
    void rejectsBadRanges()
    {
        final Arena arena = Arena.ofConfined();
        final MemorySegment page = arena.allocate(4096);
        assertThrows(IllegalArgumentException.class, () -> PageChecksum.of(page, 1, 4096));
        assertThrows(IllegalArgumentException.class, () -> PageChecksum.of(page, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> PageChecksum.of(MemorySegment.ofArray(new byte[8]), 0, 8));
        arena.close();
        assertThrows(IllegalStateException.class, () -> PageChecksum.of(page, 0, 4096));
    }
}
