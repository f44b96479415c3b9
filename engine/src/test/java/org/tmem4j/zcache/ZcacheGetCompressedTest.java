package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.codec.Codec;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Zcache#getCompressed}: every page a reader decompresses with the engine's codec, or takes as it is, comes
 * back exactly, in every engine (one codec, a dictionary, a recompression codec, checksums, raw pages, large pages);
 * the compressed block is handed out exactly where the engine's own codec made it, and the page itself otherwise.
 */
final class ZcacheGetCompressedTest
{
    private static final long SEED = 77;
    private static final int PAGES = 400;
    private static final int OPERATIONS = 200_000;

    @ParameterizedTest(name = "codec={0}, recompress={1}, checksum={2}, pageSize={3}")
    @CsvSource({"lz4, off, false, 4096", "zstd:3, off, false, 4096", "zstd:1+dict, off, false, 4096",
        "lz4, off, true, 4096", "lz4, zstd:9, false, 4096", "zstd:1, zstd:9, false, 4096",
        "lz4, zstd:9+dict, false, 4096", "lz4, off, false, 16384"})
    void everyPageReadsBackThroughTheEnginesCodec(final String codec, final String recompress,
        final boolean checksum, final int pageSize)
    {
        final Zcache.Builder builder = Zcache.builder().allocator(PagePerObjectAllocator.NAME).codec(codec)
            .checksum(checksum).rawIncompressible(true).dictionarySampleBytes(64 << 10).budgetBytes(64L << 20);
        if (!recompress.equals("off"))
        {
            builder.recompress(recompress).recompressIdleMs(0).recompressIntervalMs(0).recompressMinSavedBytes(1);
        }
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = builder.build();
            Codec reader = zcache.codec().withoutDictionary().newCodec())
        {
            final MemorySegment page = arena.allocate(pageSize);
            final MemorySegment dst = arena.allocate(pageSize);
            final MemorySegment decompressed = arena.allocate(pageSize);
            final int pool = zcache.createPool(PoolKind.PERSISTENT, pageSize);
            for (int i = 0; i < PAGES; i++)
            {
                PageContent.fill(page, pageSize, SEED, i);
                assertEquals(Zcache.STORED, zcache.put(pool, 1, 2, 3, i, page), "page " + i);
            }
            if (!recompress.equals("off"))
            {
                assertTrue(zcache.recompress() > 0, "nothing recompressed");
            }
            int blocks = 0;
            for (int i = 0; i < PAGES; i++)
            {
                PageContent.fill(page, pageSize, SEED, i);
                final int length = zcache.getCompressed(pool, 1, 2, 3, i, dst);
                if (length < pageSize)
                {
                    assertTrue(length > 0, "page " + i + ": " + length);
                    assertFalse(checksum, "a checksummed page is checked and handed out whole");
                    assertFalse(PageContent.isIncompressible(i), "page " + i + " is stored raw");
                    reader.decompress(dst, 0, length, decompressed, 0, pageSize);
                    assertEquals(-1, page.mismatch(decompressed), "page " + i);
                    blocks++;
                }
                else
                {
                    assertEquals(pageSize, length);
                    assertEquals(-1, page.mismatch(dst), "page " + i);
                }
            }
            final boolean everyBlockIsTheEngines = !checksum && !codec.endsWith("+dict")
                && !recompress.endsWith("+dict") && !(codec.equals("lz4") && !recompress.equals("off"));
            if (everyBlockIsTheEngines)
            {
                final long compressible = IntStream.range(0, PAGES)
                    .filter(i -> !PageContent.isSameFilled(i) && !PageContent.isIncompressible(i)).count();
                assertTrue(blocks >= compressible, "every compressed page handed out compressed: " + blocks + " of "
                    + compressible);
            }
            else if (!checksum && codec.endsWith("+dict"))
            {
                assertTrue(blocks < PAGES * 7 / 10, "pages of a dictionary decompressed here: " + blocks);
            }
        }
    }

    @Test
    void aModelOfPutsGetsAndFlushesAgreesWithBothReads()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).codec("zstd:1")
                .rawIncompressible(true).budgetBytes(64L << 20).build();
            Codec reader = zcache.codec().newCodec())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment dst = arena.allocate(4096);
            final MemorySegment decompressed = arena.allocate(4096);
            final int persistent = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final int ephemeral = zcache.createPool(PoolKind.EPHEMERAL, 4096);
            final Map<Long, Long> model = new HashMap<>();
            for (int op = 0; op < OPERATIONS; op++)
            {
                final boolean inEphemeral = random.nextInt(4) == 0;
                final int pool = inEphemeral ? ephemeral : persistent;
                final int index = random.nextInt(64);
                final long key = (long)pool << 32 | index;
                final int action = random.nextInt(10);
                if (action < 4)
                {
                    final long content = random.nextLong(1 << 20);
                    PageContent.fill(page, 4096, SEED, content);
                    if (zcache.put(pool, 5, 0, 0, index, page) == Zcache.STORED)
                    {
                        model.put(key, content);
                    }
                    else
                    {
                        model.remove(key);
                    }
                }
                else if (action < 9)
                {
                    final Long content = inEphemeral ? model.remove(key) : model.get(key);
                    final boolean compressed = action < 7;
                    final int length = compressed ? zcache.getCompressed(pool, 5, 0, 0, index, dst)
                        : zcache.get(pool, 5, 0, 0, index, dst) ? 4096 : Zcache.MISS;
                    if (content == null)
                    {
                        assertEquals(Zcache.MISS, length, "op " + op);
                        continue;
                    }
                    assertTrue(length > 0, "op " + op + ": a stored page missed");
                    PageContent.fill(page, 4096, SEED, content);
                    final MemorySegment back = length < 4096 ? decompressed : dst;
                    if (length < 4096)
                    {
                        reader.decompress(dst, 0, length, decompressed, 0, 4096);
                    }
                    assertEquals(-1, page.mismatch(back), "op " + op);
                }
                else
                {
                    assertEquals(model.remove(key) != null, zcache.flushPage(pool, 5, 0, 0, index), "op " + op);
                }
            }
            assertEquals(model.size(), zcache.stats().storedPages());
        }
    }
}
