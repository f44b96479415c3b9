package org.tmem4j.tmem;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;

import org.junit.jupiter.api.Test;
import org.tmem4j.zcache.Zcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pool ids are reused, so creating and destroying pools never runs out of them, and a stale id never reaches the
 * pool that took its slot (issue 12, section 5).
 */
class PoolIdReuseTest
{

    @Test
    void moreThanMaxPoolsCreatedAndDestroyedOneAtATimeWithEveryIdDistinct()
    {
        final Tmem tmem = new Tmem(1);
        final int cycles = Tmem.MAX_POOLS + 100_000;
        final BitSet seen = new BitSet();
        final int first = tmem.createPool(PoolKind.PERSISTENT, 4096).id();
        tmem.destroyPool(first, value -> { });
        int maxSlot = 0;
        for (int i = 0; i < cycles; i++)
        {
            final int id = tmem.createPool(i % 2 == 0 ? PoolKind.PERSISTENT : PoolKind.EPHEMERAL, 4096).id();
            final int slot = Tmem.slotOf(id);
            final int generation = id >>> 20;
            final int key = slot * 2048 + generation;
            assertFalse(seen.get(key), "id " + id + " handed out twice");
            seen.set(key);
            maxSlot = Math.max(maxSlot, slot);
            tmem.destroyPool(id, value -> { });
        }
        assertTrue(maxSlot < 1000, "a slot is reused 2047 times before the next is taken, took up to " + maxSlot);
        final IllegalArgumentException stale = assertThrows(IllegalArgumentException.class, () -> tmem.pool(first));
        assertTrue(stale.getMessage().contains("pool " + first + " is destroyed"), stale.getMessage());
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> tmem.pool(Integer.MAX_VALUE));
        assertTrue(unknown.getMessage().contains("unknown pool"), unknown.getMessage());
    }

    @Test
    void aStaleIdIsDestroyedEvenWhenItsSlotHoldsANewPool()
    {
        try (Zcache zcache = Zcache.builder().allocator(org.tmem4j.alloc.PagePerObjectAllocator.NAME).budgetBytes(1 << 20).build();
             Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment dst = arena.allocate(4096);
            page.fill((byte)7);
            final int old = zcache.createPool(PoolKind.PERSISTENT, 4096);
            assertEquals(Zcache.STORED, zcache.put(old, 1, 2, 3, 0, page));
            zcache.destroyPool(old);
            final int fresh = zcache.createPool(PoolKind.PERSISTENT, 4096);
            assertEquals(Tmem.slotOf(old), Tmem.slotOf(fresh), "the destroyed pool's slot is reused");
            assertNotEquals(old, fresh);
            assertEquals(Zcache.STORED, zcache.put(fresh, 1, 2, 3, 0, page));
            for (final Runnable staleUse : new Runnable[] {
                () -> zcache.get(old, 1, 2, 3, 0, dst), () -> zcache.put(old, 1, 2, 3, 0, page),
                () -> zcache.flushPage(old, 1, 2, 3, 0), () -> zcache.destroyPool(old)})
            {
                final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, staleUse::run);
                assertTrue(ex.getMessage().contains("pool " + old + " is destroyed"), ex.getMessage());
            }
            assertTrue(zcache.get(fresh, 1, 2, 3, 0, dst), "the new pool is untouched by the stale id");
            assertEquals(-1, dst.mismatch(page));
        }
    }
}
