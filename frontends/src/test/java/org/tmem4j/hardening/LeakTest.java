package org.tmem4j.hardening;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leaks: after traffic of every kind (private and shared pools, 4 KiB and 16 KiB pages, same-filled, refused and
 * replaced pages), destroying every pool leaves the allocator with no object and no page; closing the engine gives
 * every page back before the page memory closes, and every byte mapped from the OS after; a segment taken before the
 * close can no longer reach the memory. Repeated build-traffic-close cycles must not grow the process: the resident
 * set after the last cycle is compared with the one after the second (codec contexts, arenas and slabs all freed).
 */
final class LeakTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int CYCLES = 4;
    private static final long MIB = 1L << 20;
    /** Growth of the resident set over the cycles above which memory is leaking (one cycle maps about 16 MiB). */
    private static final long RESIDENT_GROWTH_LIMIT = 24 * MIB;

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"zbud, lz4", "zsmalloc, zstd"})
    void closingEverythingLeavesNothingHeld(final String allocator, final String codec) throws Exception
    {
        final FaultTally tally = new FaultTally("leaks-" + allocator + "-" + codec);
        final List<MemoryFootprint> afterCycle = new ArrayList<>();
        for (int cycle = 0; cycle < CYCLES; cycle++)
        {
            final Zcache zcache = Zcache.builder()
                .allocator(FaultInjectingAllocatorProvider.faulty(allocator))
                .codec(codec)
                .budgetBytes(16 * MIB)
                .checksum(cycle % 2 == 0)
                .build();
            final FaultInjectingAllocator faulty = FaultInjectingAllocatorProvider.last(allocator);
            final PageMemory memory = faulty.memory();
            final int[] pools = {zcache.createPool(PoolKind.EPHEMERAL, 4096), zcache.createPool(PoolKind.PERSISTENT,
                4096), zcache.createSharedPool(PoolKind.EPHEMERAL, 1, cycle, 4096)};
            final CheckedTraffic traffic = new CheckedTraffic(new EngineFaultsTest.EngineStore(zcache), pools,
                new boolean[] {false, true, false}, 4096, 2, 8, 64, SEED + cycle, tally);
            final List<String> failures = traffic.run(12_000, total -> { });
            assertTrue(failures.isEmpty(), () -> "traffic failed (seed " + SEED + "): " + failures.getFirst());
            fillLargePages(zcache);
            final MemorySegment stale = memory.segment(anyPage(memory));

            for (final int pool : pools)
            {
                zcache.destroyPool(pool);
            }
            final AllocatorStats emptied = faulty.delegate().stats();
            assertEquals(0, emptied.objects(), "objects left after every pool was destroyed: " + emptied);
            assertEquals(0, emptied.storedBytes(), "bytes left after every pool was destroyed: " + emptied);
            assertEquals(0, zcache.stats().storedPages(), "pages counted after every pool was destroyed");

            zcache.close();
            assertEquals(0, faulty.pagesInUseAfterClose(), "pages in use after the allocator closed");
            assertTrue(memory.isClosed(), "the engine left its page memory open");
            assertEquals(0, memory.stats().reservedBytes(), "bytes mapped after close");
            assertThrows(IllegalStateException.class, () -> stale.get(ValueLayout.JAVA_BYTE, 0),
                "memory of a closed engine is still reachable");
            afterCycle.add(MemoryFootprint.sample(null));
            tally.add("cycles closed clean");
        }
        final MemoryFootprint warm = afterCycle.get(1);
        final MemoryFootprint last = afterCycle.getLast();
        System.out.println("LEAK " + allocator + "/" + codec + " after cycle 2: " + warm + "; after cycle "
            + CYCLES + ": " + last);
        if (warm.residentBytes() >= 0)
        {
            assertTrue(last.residentBytes() - warm.residentBytes() < RESIDENT_GROWTH_LIMIT, () -> "resident set grew "
                + (last.residentBytes() - warm.residentBytes()) / MIB + " MiB over " + (CYCLES - 2) + " cycles");
        }
        assertTrue(last.directBytes() <= warm.directBytes(), "direct buffers grew: " + warm + " -> " + last);
        tally.print();
    }

    /** 16 KiB pages that compress poorly enough to be stored in parts (span directories), then replaced. */
    private static void fillLargePages(final Zcache zcache)
    {
        final int pool = zcache.createPool(PoolKind.PERSISTENT, 16384);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(16384, 4096);
            for (int i = 0; i < 64; i++)
            {
                VersionedPage.text(page, 8192, i);
                VersionedPage.fill(page.asSlice(8192), 8192, i, 1);
                zcache.put(pool, 9, 9, 9, i % 32, page);
            }
        }
        zcache.destroyPool(pool);
    }

    private static int anyPage(final PageMemory memory)
    {
        final int page = memory.allocate();
        memory.free(page);
        return page;
    }
}
