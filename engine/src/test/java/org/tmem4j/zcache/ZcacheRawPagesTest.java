package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Incompressible pages kept raw ({@link Zcache.Builder#rawIncompressible(boolean)}): stored and read back exactly in
 * one object or spanned (checksums, large pages), counted in {@code puts_raw}, refused rather than evicting when the
 * budget is spent, and kept out of the persistent mean that admission compares compressed pages with.
 */
final class ZcacheRawPagesTest
{
    private static final long SEED = 11;
    private static final long RANDOM_ID = 12;
    private static final long COMPRESSIBLE_ID = 13;

    @ParameterizedTest(name = "pageSize={0}, checksum={1}, kind={2}")
    @CsvSource({"4096, false, PERSISTENT", "4096, true, PERSISTENT", "16384, false, EPHEMERAL",
        "16384, true, PERSISTENT", "4096, true, EPHEMERAL"})
    void incompressiblePagesComeBackExactly(final int pageSize, final boolean checksum, final PoolKind kind)
    {
        assertTrue(PageContent.isIncompressible(RANDOM_ID));
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).checksum(checksum)
                .rawIncompressible(true).budgetBytes(4 << 20).build())
        {
            final int pool = zcache.createPool(kind, pageSize);
            final MemorySegment page = arena.allocate(pageSize);
            final MemorySegment dst = arena.allocate(pageSize);
            final byte[] heap = new byte[pageSize];
            for (int i = 0; i < 8; i++)
            {
                PageContent.fill(page, pageSize, SEED + i, RANDOM_ID);
                // half the puts come from the heap, which zcache copies into the slot's scratch first
                final MemorySegment source = i % 2 == 0 ? page : MemorySegment.ofArray(heap).copyFrom(page);
                assertEquals(Zcache.STORED, zcache.put(pool, 1, 2, 3, i, source));
            }
            assertEquals(8, zcache.stats().putsRaw());
            for (int i = 0; i < 8; i++)
            {
                PageContent.fill(page, pageSize, SEED + i, RANDOM_ID);
                dst.fill((byte)0x5A);
                assertTrue(zcache.get(pool, 1, 2, 3, i, dst), "page " + i);
                assertEquals(-1, page.mismatch(dst), "page " + i);
            }
            if (kind == PoolKind.PERSISTENT)
            {
                assertEquals(8, zcache.stats().storedPages());
                final int length = pageSize + (checksum ? 4 : 0);
                final int parts = (length + 4095) / 4096;
                assertEquals(8L * (length + (parts > 1 ? parts * Long.BYTES : 0)), zcache.stats().compressedBytes(),
                    "raw bytes, plus a span directory where the page takes more than one object");
                assertEquals(8, zcache.flushObject(pool, 1, 2, 3));
            }
            assertEquals(0, zcache.stats().compressedBytes());
            assertEquals(0, zcache.stats().allocator().objects());
        }
    }

    @Test
    void offByDefault()
    {
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(1 << 20).build())
        {
            final int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final MemorySegment page = arena.allocate(4096);
            PageContent.fill(page, 4096, SEED, RANDOM_ID);
            assertEquals(Zcache.POOR_COMPRESSION, zcache.put(pool, 1, 2, 3, 0, page));
            assertEquals(0, zcache.stats().putsRaw());
            assertEquals(1, zcache.stats().compressPoor());
        }
    }

    @Test
    void aRawPageNeverEvictsAndIsRefusedWhenTheBudgetIsSpent()
    {
        final int budgetPages = 16;
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).rawIncompressible(true)
                .budgetBytes(budgetPages * 4096L).build())
        {
            final int ephemeral = zcache.createPool(PoolKind.EPHEMERAL, 4096);
            final int persistent = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final MemorySegment page = arena.allocate(4096);
            PageContent.fill(page, 4096, SEED, COMPRESSIBLE_ID);
            int cached = 0;
            while (zcache.stats().memory().pagesInUse() < budgetPages)
            {
                assertEquals(Zcache.STORED, zcache.put(ephemeral, 1, 2, 3, cached++, page));
            }
            PageContent.fill(page, 4096, SEED, RANDOM_ID);
            assertEquals(Zcache.POOR_COMPRESSION, zcache.put(persistent, 1, 2, 3, 0, page));
            assertEquals(0, zcache.stats().evictions(), "a raw page must not evict a cached one");
            assertEquals(0, zcache.stats().putsRaw());
            assertEquals(cached, zcache.stats().storedPages());
        }
    }

    @Test
    void rawPagesStayOutOfThePersistentMean()
    {
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).rawIncompressible(true)
                .budgetBytes(4 << 20).build())
        {
            final int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final MemorySegment page = arena.allocate(4096);
            PageContent.fill(page, 4096, SEED, RANDOM_ID);
            for (int i = 0; i < 16; i++)
            {
                assertEquals(Zcache.STORED, zcache.put(pool, 1, 2, 3, i, page));
            }
            // a page between 5/8 and 7/8: half random, half zero; refused only while the compressed mean is high
            page.asSlice(2048).fill((byte)0);
            assertEquals(Zcache.STORED, zcache.put(pool, 1, 2, 3, 100, page));
            assertEquals(0, zcache.stats().meanCompressPoor());
        }
    }
}
