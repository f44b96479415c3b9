package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recompression passes ({@link Zcache#recompress()}): idle pages are stored again with the stronger codec when it
 * saves enough, a page is looked at once, fresh pages wait for their idle time, the coldest-fraction rule takes the
 * oldest pages by put order, and every page reads back as put.
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

    /**
     * The coldest-fraction rule with one bucket, where the bucket's list is the pool's put order: a pass looks at
     * exactly the oldest fraction (the bytes it saved are those pages' and no others'), the same pages are not looked
     * at again, and pages put later or put again move the window.
     */
    @Test
    void theColdestFractionByPutOrderIsLookedAtWhateverItsIdleTime()
    {
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).buckets(1).codec("lz4")
                .recompress("zstd:9").recompressIdleMs(3_600_000).recompressColdestFraction(0.25)
                .recompressIntervalMs(0).recompressMinSavedBytes(1).budgetBytes(64L << 20).build();
            Codec lz4 = CodecSpec.parse("lz4").newCodec();
            Codec zstd9 = CodecSpec.parse("zstd:9").newCodec())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment back = arena.allocate(4096);
            final MemorySegment out = arena.allocate(zstd9.maxCompressedLength(4096) + lz4.maxCompressedLength(4096));
            final int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final long[] saving = new long[500];
            for (int i = 0; i < saving.length; i++)
            {
                PageContent.fill(page, 4096, SEED, compressibleId(i));
                saving[i] = Math.max(0, lz4.compress(page, 0, 4096, out, 0, (int)out.byteSize()) -
                    zstd9.compress(page, 0, 4096, out, 0, (int)out.byteSize()));
            }
            for (int i = 0; i < 400; i++)
            {
                put(zcache, pool, page, i);
            }
            zcache.recompress();
            assertLookedAt(zcache, 100, savings(saving, 0, 100), "the oldest quarter of 400 pages");
            zcache.recompress();
            assertLookedAt(zcache, 100, savings(saving, 0, 100), "the same quarter, already looked at");
            for (int i = 400; i < 500; i++)
            {
                put(zcache, pool, page, i);
            }
            zcache.recompress();
            assertLookedAt(zcache, 125, savings(saving, 0, 125), "the oldest quarter of 500 pages");
            for (int i = 0; i < 125; i++)
            {
                put(zcache, pool, page, i);
            }
            zcache.recompress();
            assertLookedAt(zcache, 250, savings(saving, 0, 250), "pages put again are the newest");
            for (int i = 0; i < 500; i++)
            {
                PageContent.fill(page, 4096, SEED, compressibleId(i));
                assertTrue(zcache.get(pool, i, 1, 1, 0, back.fill((byte)0x5A)), "page " + i);
                assertEquals(-1, page.mismatch(back), "page " + i);
            }
        }
    }

    /**
     * Over many buckets the oldest of each bucket's list are taken, with the remainders carried from bucket to
     * bucket: the pass looks at the pool's fraction, to the page, in ephemeral and persistent pools alike.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"EPHEMERAL", "PERSISTENT"})
    void overManyBucketsAPassLooksAtTheFractionOfEachPool(final PoolKind kind)
    {
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).codec("zstd:1")
                .recompress("zstd:3+dict").recompressColdestFraction(0.3).recompressIntervalMs(0)
                .recompressMinSavedBytes(1).dictionarySampleBytes(64 << 10).budgetBytes(64L << 20).build())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment back = arena.allocate(4096);
            final int pool = zcache.createPool(kind, 4096);
            for (int i = 0; i < 1000; i++)
            {
                put(zcache, pool, page, i);
            }
            zcache.recompress();
            final ZcacheStats stats = zcache.stats();
            assertEquals(300, stats.recompressedPages() + stats.recompressSkippedPages(), "30% of 1000 pages");
            assertTrue(stats.recompressedPages() > 0, "nothing recompressed");
            for (int i = 0; i < 1000; i++)
            {
                PageContent.fill(page, 4096, SEED, compressibleId(i));
                assertTrue(zcache.get(pool, i, 1, 1, 0, back.fill((byte)0x5A)), "page " + i);
                assertEquals(-1, page.mismatch(back), "page " + i);
            }
        }
    }

    private static void put(final Zcache zcache, final int pool, final MemorySegment page, final int i)
    {
        PageContent.fill(page, 4096, SEED, compressibleId(i));
        assertEquals(Zcache.STORED, zcache.put(pool, i, 1, 1, 0, page));
    }

    /** Ids of compressible pages (neither same-filled nor random), one per number. */
    private static long compressibleId(final int i)
    {
        return 3 + 10L * i;
    }

    private static long savings(final long[] saving, final int from, final int to)
    {
        long sum = 0;
        for (int i = from; i < to; i++)
        {
            sum += saving[i];
        }
        return sum;
    }

    private static void assertLookedAt(final Zcache zcache, final long pages, final long savedBytes,
        final String what)
    {
        final ZcacheStats stats = zcache.stats();
        assertEquals(pages, stats.recompressedPages() + stats.recompressSkippedPages(), what + ": pages looked at");
        assertEquals(savedBytes, stats.recompressSavedBytes(), what + ": bytes saved");
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
        for (final double bad : new double[] {-0.5, 1.01, Double.NaN})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> Zcache.builder().recompressColdestFraction(bad));
            assertTrue(ex.getMessage().contains("recompressColdestFraction") && ex.getMessage().contains(
                String.valueOf(bad)), ex.getMessage());
        }
    }
}
