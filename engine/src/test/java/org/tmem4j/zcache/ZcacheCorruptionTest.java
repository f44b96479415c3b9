package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bytes flipped in off-heap memory behind stored pages (the test allocator's object written last):
 * with checksums on, a get of a damaged page throws {@link CorruptPageException} naming the page, counts it, and
 * drops the page, unless the flip landed where the decoder never reads and the page decodes exactly; it never
 * returns wrong bytes. Without checksums the codec catches some damage and the rest
 * decodes to wrong bytes — the test prints how often, which is why the option exists.
 */
final class ZcacheCorruptionTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int PAGES = 300;

    @ParameterizedTest
    @CsvSource({"lz4, PERSISTENT", "lz4, EPHEMERAL", "zstd, PERSISTENT", "zstd, EPHEMERAL"})
    void checksumTurnsEveryFlipIntoAClearError(final String codec, final PoolKind kind)
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).codec(codec).checksum(true)
                .budgetBytes(8 << 20).build())
        {
            final int pool = zcache.createPool(kind, 4096);
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment dst = arena.allocate(4096);
            int damaged = 0;
            for (int i = 0; i < PAGES; i++)
            {
                final long id = compressibleId(i);
                PageContent.fill(page, 4096, SEED, id);
                assertEquals(Zcache.STORED, zcache.put(pool, 7, 8, 9, i, page));
                if (i % 2 == 0)
                {
                    flipByte(lastWritten(zcache), random);
                    damaged++;
                }
            }
            int reported = 0;
            int harmless = 0;
            for (int i = 0; i < PAGES; i++)
            {
                PageContent.fill(page, 4096, SEED, compressibleId(i));
                if (i % 2 == 0)
                {
                    // the checksum covers the page: a flip the decoder never reads (slack) leaves the page right
                    try
                    {
                        assertTrue(zcache.get(pool, 7, 8, 9, i, dst), "page " + i + ", seed " + SEED);
                        assertEquals(-1, page.mismatch(dst), "a damaged page returned as a hit must be exact: page " +
                            i + ", seed " + SEED);
                        harmless++;
                    }
                    catch (final CorruptPageException ex)
                    {
                        assertTrue(ex.getMessage().contains("page " + i + " of object") &&
                            ex.getMessage().contains("corrupt"), ex.getMessage());
                        assertFalse(zcache.get(pool, 7, 8, 9, i, dst), "a corrupt page is dropped; seed " + SEED);
                        reported++;
                    }
                }
                else
                {
                    assertTrue(zcache.get(pool, 7, 8, 9, i, dst));
                    assertEquals(-1, page.mismatch(dst), "undamaged page " + i + "; seed " + SEED);
                }
            }
            assertEquals(damaged, reported + harmless);
            assertTrue(reported > damaged * 9 / 10, reported + " of " + damaged + " flips reported; seed " + SEED);
            assertEquals(reported, zcache.stats().corruptPages());
            final int kept = PAGES / 2 + harmless;
            assertEquals(kind == PoolKind.PERSISTENT ? kept : 0, zcache.stats().storedPages());
        }
    }

    @ParameterizedTest
    @CsvSource({"lz4", "zstd"})
    void withoutChecksumsSomeDamageGoesUnnoticed(final String codec)
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).codec(codec)
                .budgetBytes(8 << 20).build())
        {
            final int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment dst = arena.allocate(4096);
            int detected = 0;
            int wrong = 0;
            for (int i = 0; i < PAGES; i++)
            {
                PageContent.fill(page, 4096, SEED, compressibleId(i));
                zcache.put(pool, 7, 8, 9, i, page);
                flipByte(lastWritten(zcache), random);
                try
                {
                    if (zcache.get(pool, 7, 8, 9, i, dst) && page.mismatch(dst) >= 0)
                    {
                        wrong++;
                    }
                }
                catch (final CorruptPageException ex)
                {
                    detected++;
                }
            }
            System.out.printf("%s without checksums: %d of %d damaged pages detected by the codec, %d decoded to " +
                "wrong bytes, %d decoded right (flip in slack)%n", codec, detected, PAGES, wrong,
                PAGES - detected - wrong);
            assertEquals(detected, zcache.stats().corruptPages());
        }
    }

    private static long compressibleId(final int i)
    {
        final long id = 1000L + i * 10L + 3;
        if (PageContent.isSameFilled(id) || PageContent.isIncompressible(id))
        {
            fail("test ids must be compressible pages");
        }
        return id;
    }

    private static MemorySegment lastWritten(final Zcache zcache)
    {
        return ((PagePerObjectAllocator)zcache.allocator()).lastWritten();
    }

    private static void flipByte(final MemorySegment writable, final SplittableRandom random)
    {
        assertNotNull(writable, "stored page has no allocator object");
        final long at = random.nextLong(writable.byteSize());
        final byte old = writable.get(ValueLayout.JAVA_BYTE, at);
        writable.set(ValueLayout.JAVA_BYTE, at, (byte)(old ^ (1 << random.nextInt(8))));
    }
}
