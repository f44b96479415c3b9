package org.tmem4j.hardening;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.CorruptPageException;
import org.tmem4j.zcache.Zcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bytes flipped in off-heap memory behind stored pages, through the allocator (the engine is not told): with
 * checksums on, every page that decodes wrong must be reported by a {@link CorruptPageException} naming the page,
 * counted, and dropped (the next get misses); no get may return wrong bytes as a hit, and nothing may crash. With
 * checksums off the codec is the only guard: its errors must still be the same clear exception, and how many damaged pages it
 * let through as wrong bytes is counted and printed, which is why the checksum exists.
 */
final class EngineCorruptionTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int PAGES = 1_000;
    private static final int PAGE = 4096;

    @ParameterizedTest(name = "{0}, checksum {1}, {2}")
    @CsvSource({"zbud, true, lz4", "zsmalloc, true, lz4", "zsmalloc, true, zstd", "zbud, false, lz4",
        "zsmalloc, false, zstd"})
    void flippedBytesAreDetectedNeverReturned(final String allocator, final boolean checksum, final String codec)
    {
        final FaultTally tally = new FaultTally("corruption-" + allocator + "-" + codec
            + (checksum ? "-checksum" : "-no-checksum"));
        final SplittableRandom random = new SplittableRandom(SEED);
        try (Zcache zcache = Zcache.builder()
                .allocator(FaultInjectingAllocatorProvider.faulty(allocator))
                .codec(codec)
                .budgetBytes(64L << 20)
                .checksum(checksum)
                .build();
             Arena arena = Arena.ofConfined())
        {
            final int[] pools = {zcache.createPool(PoolKind.PERSISTENT, PAGE), zcache.createPool(PoolKind.EPHEMERAL,
                PAGE)};
            final MemorySegment page = arena.allocate(PAGE, PAGE);
            final boolean[][] stored = new boolean[pools.length][PAGES];
            for (int p = 0; p < pools.length; p++)
            {
                for (int i = 0; i < PAGES; i++)
                {
                    VersionedPage.fill(page, PAGE, key(p, i), 1);
                    stored[p][i] = zcache.put(pools[p], 1, p, 0, i, page) == Zcache.STORED;
                }
            }
            final FaultInjectingAllocator faulty = FaultInjectingAllocatorProvider.last(allocator);
            final long[] handles = faulty.liveHandles();
            int flipped = 0;
            for (final long handle : handles)
            {
                if (random.nextBoolean() && faulty.flipByte(handle, random.nextInt(PAGE)))
                {
                    flipped++;
                }
            }
            tally.add("objects in the allocator", handles.length);
            tally.add("objects with a byte flipped", flipped);

            final MemorySegment dst = arena.allocate(PAGE, PAGE);
            final MemorySegment expected = arena.allocate(PAGE, PAGE);
            long detected = 0;
            long wrong = 0;
            for (int p = 0; p < pools.length; p++)
            {
                for (int i = 0; i < PAGES; i++)
                {
                    if (!stored[p][i])
                    {
                        continue;
                    }
                    try
                    {
                        assertTrue(zcache.get(pools[p], 1, p, 0, i, dst), "a stored page missed with no eviction");
                        if (VersionedPage.mismatch(dst, expected, PAGE, key(p, i), 1) >= 0)
                        {
                            wrong++;
                        }
                        else
                        {
                            tally.add("get hit exact");
                        }
                    }
                    catch (final CorruptPageException ex)
                    {
                        detected++;
                        assertTrue(ex.getMessage().contains("page " + i + " ") && ex.getMessage().contains(
                            "pool " + pools[p]), "the message does not name the page and pool: " + ex.getMessage());
                        assertFalse(zcache.get(pools[p], 1, p, 0, i, dst), "a page reported corrupt still hits");
                    }
                }
            }
            tally.add("gets reporting corruption (CorruptPageException)", detected);
            tally.add("gets returning wrong bytes as a hit", wrong);
            assertEquals(detected, zcache.stats().corruptPages(), "corrupt_pages disagrees with the exceptions");
            if (checksum)
            {
                assertEquals(0, wrong, "wrong bytes returned as a hit with checksums on (seed " + SEED + ")");
                // the checksum covers the page: a flip the decoder never reads leaves the page exact, and hits
                assertTrue(detected >= flipped * 9 / 10, detected + " of " + flipped
                    + " flipped objects reported with checksums on (seed " + SEED + ")");
            }
            else
            {
                // a flip can also land where it changes nothing (an offset to equal bytes): those hit exact
                assertTrue(detected + wrong <= flipped, "more damaged pages than flipped objects");
            }
        }
        tally.print();
    }

    private static long key(final int pool, final int index)
    {
        return ((long)pool << 32) | index;
    }
}
