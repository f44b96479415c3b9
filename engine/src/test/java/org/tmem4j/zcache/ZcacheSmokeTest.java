package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class ZcacheSmokeTest
{
    @Test
    void putGetFlush()
    {
        try (Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(4 << 20).build();
            Arena arena = Arena.ofConfined())
        {
            final int pers = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final int eph = zcache.createPool(PoolKind.EPHEMERAL, 4096);
            final int big = zcache.createPool(PoolKind.PERSISTENT, 65536);
            final MemorySegment page = arena.allocate(65536);
            final MemorySegment dst = arena.allocate(65536);
            for (long id = 0; id < 10; id++)
            {
                PageContent.fill(page, 4096, 1, id);
                final int expected = PageContent.isIncompressible(id) ? Zcache.POOR_COMPRESSION : Zcache.STORED;
                assertEquals(expected, zcache.put(pers, 1, 2, 3, (int)id, page.asSlice(0, 4096)), "id " + id);
                assertEquals(expected, zcache.put(eph, 1, 2, 3, (int)id, page.asSlice(0, 4096)), "id " + id);
                PageContent.fill(page, 65536, 1, id);
                assertEquals(expected, zcache.put(big, 1, 2, 3, (int)id, page), "id " + id);
            }
            System.out.println(zcache.stats());
            for (long id = 0; id < 10; id++)
            {
                final boolean stored = !PageContent.isIncompressible(id);
                PageContent.fill(page, 65536, 1, id);
                assertEquals(stored, zcache.get(big, 1, 2, 3, (int)id, dst));
                if (stored)
                {
                    assertEquals(-1, MemorySegment.mismatch(page, 0, 65536, dst, 0, 65536), "id " + id);
                }
                PageContent.fill(page, 4096, 1, id);
                for (final int pool : new int[] {pers, eph})
                {
                    assertEquals(stored, zcache.get(pool, 1, 2, 3, (int)id, dst.asSlice(0, 4096)));
                    if (stored)
                    {
                        assertEquals(-1, MemorySegment.mismatch(page, 0, 4096, dst, 0, 4096), "id " + id);
                    }
                }
                assertFalse(zcache.get(eph, 1, 2, 3, (int)id, dst.asSlice(0, 4096)), "ephemeral gets are exclusive");
                assertEquals(stored, zcache.get(pers, 1, 2, 3, (int)id, dst.asSlice(0, 4096)), "persistent gets keep");
            }
            assertEquals(9, zcache.flushObject(big, 1, 2, 3));
            assertTrue(zcache.flushPage(pers, 1, 2, 3, 0));
            assertFalse(zcache.flushPage(pers, 1, 2, 3, 0));
            System.out.println(zcache.stats());
        }
    }
}
