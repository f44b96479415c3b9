package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every page size from 4 to 64 KiB, in both pool kinds: pages larger than the allocator's largest object go into
 * span directories and come back byte for byte; same-filled pages take no allocator memory; random pages are
 * refused; ephemeral gets are exclusive, persistent ones keep the page; a heap buffer works like a native one.
 */
final class ZcachePageSizesTest
{
    @ParameterizedTest
    @ValueSource(ints = {4096, 8192, 16384, 32768, 65536})
    void pagesComeBackExactly(final int pageSize)
    {
        try (Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(8 << 20).build();
            Arena arena = Arena.ofConfined())
        {
            final int persistent = zcache.createPool(PoolKind.PERSISTENT, pageSize);
            final int ephemeral = zcache.createPool(PoolKind.EPHEMERAL, pageSize);
            final MemorySegment page = arena.allocate(pageSize);
            final MemorySegment dst = arena.allocate(pageSize);
            final MemorySegment heapDst = MemorySegment.ofArray(new byte[pageSize]);
            int wordPages = 0;
            for (long id = 0; id < 20; id++)
            {
                PageContent.fill(page, pageSize, pageSize, id);
                if (PageContent.isSameFilled(id) && PageValue.sameFilled(page.get(ValueLayout.JAVA_LONG, 0)) != 0)
                {
                    wordPages += 2;
                }
                final int expected = PageContent.isIncompressible(id) ? Zcache.POOR_COMPRESSION : Zcache.STORED;
                assertEquals(expected, zcache.put(persistent, 1, 2, 3, (int)id, page), "id " + id);
                final MemorySegment heapPage = MemorySegment.ofArray(page.toArray(ValueLayout.JAVA_BYTE));
                assertEquals(expected, zcache.put(ephemeral, 1, 2, 3, (int)id, heapPage), "id " + id);
            }
            final ZcacheStats stats = zcache.stats();
            assertTrue(wordPages >= 4, "zero pages are always stored as a word");
            assertEquals(wordPages, stats.sameFilledPages());
            assertEquals(stats.allocator().storedBytes(), stats.compressedBytes());
            for (long id = 0; id < 20; id++)
            {
                final boolean stored = !PageContent.isIncompressible(id);
                PageContent.fill(page, pageSize, pageSize, id);
                assertEquals(stored, zcache.get(persistent, 1, 2, 3, (int)id, dst));
                assertEquals(stored, zcache.get(ephemeral, 1, 2, 3, (int)id, heapDst));
                if (stored)
                {
                    assertEquals(-1, page.mismatch(dst), "persistent id " + id);
                    assertEquals(-1, page.mismatch(heapDst), "ephemeral id " + id);
                }
                assertFalse(zcache.get(ephemeral, 1, 2, 3, (int)id, dst), "ephemeral gets are exclusive");
                assertEquals(stored, zcache.get(persistent, 1, 2, 3, (int)id, dst), "persistent gets keep");
            }
            assertEquals(18, zcache.flushObject(persistent, 1, 2, 3));
            assertFalse(zcache.flushPage(persistent, 1, 2, 3, 0));
            assertTrue(zcache.stats().storedPages() == 0 && zcache.stats().allocator().objects() == 0);
        }
    }
}
