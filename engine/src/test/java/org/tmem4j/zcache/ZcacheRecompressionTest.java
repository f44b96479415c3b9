package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recompression passes ({@link Zcache#recompress()}): idle pages are stored again with the stronger codec when it
 * saves enough, a page is looked at once, fresh pages wait for their idle time, and every page reads back as put.
 */
final class ZcacheRecompressionTest
{
    private static final int PAGES = 600;
    private static final long SEED = 42;

    @ParameterizedTest(name = "{0} -> {1}, checksum={2}")
    @CsvSource({"lz4, zstd:9, false", "lz4, zstd:9, true", "zstd:1, zstd:3+dict, false", "zstd:1+dict, zstd:19, true"})
    void storesIdlePagesAgainSmallerAndEveryPageReadsBack(final String codec, final String strong,
        final boolean checksum)
    {
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).codec(codec).checksum(checksum)
                .recompress(strong).recompressIdleMs(0).recompressIntervalMs(0).recompressMinSavedBytes(8)
                .dictionarySampleBytes(64 << 10).budgetBytes(64L << 20).build())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment back = arena.allocate(4096);
            final int persistent = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final int ephemeral = zcache.createSharedPool(PoolKind.EPHEMERAL, 7, 9, 4096);
            for (int i = 0; i < PAGES; i++)
            {
                PageContent.fill(page, 4096, SEED, i);
                zcache.put(persistent, i, 1, 1, 0, page);
                zcache.put(ephemeral, i, 1, 1, 0, page);
            }
            final ZcacheStats before = zcache.stats();
            final long recompressed = zcache.recompress();
            final ZcacheStats after = zcache.stats();
            assertTrue(recompressed > 0, "nothing recompressed");
            assertEquals(recompressed, after.recompressedPages());
            assertEquals(before.compressedBytes() - after.compressedBytes(), after.recompressSavedBytes(),
                "the bytes saved are the bytes the objects shrank by");
            assertEquals(before.storedPages(), after.storedPages());
            assertEquals(0, zcache.recompress(), "a page is looked at once");
            for (int i = 0; i < PAGES; i++)
            {
                PageContent.fill(page, 4096, SEED, i);
                if (!PageContent.isIncompressible(i))
                {
                    assertTrue(zcache.get(persistent, i, 1, 1, 0, back.fill((byte)0x5A)), "persistent page " + i);
                    assertEquals(-1, page.mismatch(back), "persistent page " + i);
                    assertTrue(zcache.get(ephemeral, i, 1, 1, 0, back.fill((byte)0x5A)), "ephemeral page " + i);
                    assertEquals(-1, page.mismatch(back), "ephemeral page " + i);
                }
            }
            zcache.destroyPool(persistent);
            zcache.destroyPool(ephemeral);
            assertEquals(0, zcache.stats().compressedBytes());
        }
    }

    @Test
    void freshPagesWaitForTheirIdleTimeAndSmallSavingsAreSkippedOnce()
    {
        try (Arena arena = Arena.ofConfined();
            Zcache waiting = Zcache.builder().allocator(PagePerObjectAllocator.NAME).recompress("zstd:9")
                .recompressIdleMs(3_600_000).recompressIntervalMs(0).build();
            Zcache demanding = Zcache.builder().allocator(PagePerObjectAllocator.NAME).codec("zstd:9")
                .recompress("zstd:9").recompressIdleMs(0).recompressIntervalMs(0).recompressMinSavedBytes(4096)
                .build())
        {
            final MemorySegment page = arena.allocate(4096);
            for (final Zcache zcache : new Zcache[] {waiting, demanding})
            {
                final int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
                for (int i = 0; i < 50; i++)
                {
                    PageContent.fill(page, 4096, SEED, 3 + i * 10L);
                    assertEquals(Zcache.STORED, zcache.put(pool, i, 1, 1, 0, page));
                }
                assertEquals(0, zcache.recompress());
            }
            assertEquals(0, waiting.stats().recompressSkippedPages(), "pages put a moment ago are not idle");
            assertEquals(50, demanding.stats().recompressSkippedPages(), "no page saves a whole page");
            assertEquals(0, demanding.recompress());
            assertEquals(50, demanding.stats().recompressSkippedPages(), "a skipped page is not looked at again");
        }
    }

    @Test
    void anEngineWithoutRecompressionSaysHowToGetIt()
    {
        try (Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).build())
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, zcache::recompress);
            assertTrue(ex.getMessage().contains("recompress"), ex.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Zcache.builder().recompress("lz4"));
        assertThrows(IllegalArgumentException.class, () -> Zcache.builder().recompressIdleMs(-1));
        assertThrows(IllegalArgumentException.class, () -> Zcache.builder().recompressMinSavedBytes(0));
        assertThrows(IllegalArgumentException.class, () -> Zcache.builder().recompress("zstd:9")
            .allocator(PagePerObjectAllocator.NAME).lowerTier(new MapLowerTier()).build());
    }
}
