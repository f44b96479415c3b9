package org.tmem4j.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SameFilledPageTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());

    @Test
    void findsRepeatedWordsAndRebuildsThePage()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(65536 + 16);
            final MemorySegment rebuilt = arena.allocate(65536 + 16);
            for (final int size : new int[] {8, 16, 4096, 8192, 65536})
            {
                for (final long offset : new long[] {0, 3, 8})
                {
                    for (final TestPages kind : new TestPages[] {TestPages.SAME_FILLED, TestPages.ZERO})
                    {
                        kind.write(page, offset, size, random);
                        assertTrue(SameFilledPage.isSameFilled(page, offset, size), kind + " " + size);
                        final long word = SameFilledPage.word(page, offset, size);
                        rebuilt.fill((byte)0x11);
                        SameFilledPage.fill(rebuilt, offset, size, word);
                        assertEquals(-1, MemorySegment.mismatch(page, offset, offset + size, rebuilt, offset,
                            offset + size), "seed " + SEED);
                        assertEquals(0x11, rebuilt.get(ValueLayout.JAVA_BYTE, offset + size));
                    }
                }
            }
        }
    }

    /** One changed byte anywhere in a same-filled page makes it not same-filled. */
    @Test
    void rejectsAPageWithAnyOneByteChanged()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            for (int at = 0; at < 4096; at++)
            {
                final TestPages kind = at % 2 == 0 ? TestPages.ZERO : TestPages.SAME_FILLED;
                kind.write(page, 0, 4096, random);
                page.set(ValueLayout.JAVA_BYTE, at, (byte)(page.get(ValueLayout.JAVA_BYTE, at) ^
                    (1 + random.nextInt(255))));
                assertFalse(SameFilledPage.isSameFilled(page, 0, 4096), "byte " + at + "; seed " + SEED);
            }
            for (final TestPages kind : new TestPages[] {TestPages.RANDOM, TestPages.COMPRESSIBLE,
                TestPages.MOSTLY_ZERO})
            {
                kind.write(page, 0, 4096, random);
                assertFalse(SameFilledPage.isSameFilled(page, 0, 4096), kind.name());
            }
        }
    }

    @Test
    void rejectsBadRanges()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            assertThrows(IllegalArgumentException.class, () -> SameFilledPage.isSameFilled(page, 0, 4095));
            assertThrows(IllegalArgumentException.class, () -> SameFilledPage.isSameFilled(page, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> SameFilledPage.isSameFilled(page, 8, 4096));
            assertThrows(IllegalArgumentException.class, () -> SameFilledPage.word(page, -8, 8));
            assertThrows(IllegalArgumentException.class, () -> SameFilledPage.fill(page, 4, 4096, 0));
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> SameFilledPage.fill(page.asReadOnly(), 0, 4096, 7));
            assertTrue(ex.getMessage().contains("read-only"), ex.getMessage());
        }
    }
}
