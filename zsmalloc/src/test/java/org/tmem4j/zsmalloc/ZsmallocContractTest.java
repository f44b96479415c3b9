package org.tmem4j.zsmalloc;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectAllocatorContract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's allocator contract (model-based 10^6 operations, concurrent stress with a compactor, bad sizes,
 * freed/forged/foreign handles, use after close), run against zsmalloc found by name; after every compaction each
 * class must hold exactly the minimum chunks for its live objects, and the pool the fewest pages for those chunks.
 */
final class ZsmallocContractTest extends ObjectAllocatorContract
{
    @Override
    protected String allocatorName()
    {
        return "zsmalloc";
    }

    /** Compaction stalls per class seen at the previous check: a class that stalled since may stay above minimum. */
    private final Map<Integer, Long> stallsSeen = new HashMap<>();
    private static final AtomicLong CHECKED = new AtomicLong();
    private static final AtomicLong SKIPPED = new AtomicLong();

    @AfterAll
    static void printHowOftenTheMinimumWasChecked()
    {
        System.out.printf("zsmalloc contract: minimum chunks checked for %d class compactions, skipped for %d that " +
            "stalled at the budget%n", CHECKED.get(), SKIPPED.get());
        assertTrue(CHECKED.get() + SKIPPED.get() == 0 || CHECKED.get() > 10 * SKIPPED.get(),
            "stalls must stay the exception, or the check means little");
    }

    @Override
    protected void checkPages(final ObjectAllocator allocator, final int[] liveSizes, final boolean compacted)
    {
        final Zsmalloc zsmalloc = (Zsmalloc)allocator;
        final ClassLayout layout = zsmalloc.layout();
        final Map<Integer, Long> expectedObjects = new HashMap<>();
        long chunks = 0;
        boolean anyStalled = false;
        for (final int size : liveSizes)
        {
            expectedObjects.merge(layout.classOf(size), 1L, Long::sum);
        }
        for (final ClassStats row : zsmalloc.classStats().classes())
        {
            final long objects = expectedObjects.getOrDefault(row.index(), 0L);
            assertEquals(objects, row.objUsed(), "objects in class " + row.index() + "; seed " + SEED);
            chunks += row.chunksUsed();
            final boolean stalled = row.compactionStalls() != stallsSeen.getOrDefault(row.index(), 0L);
            stallsSeen.put(row.index(), row.compactionStalls());
            anyStalled |= stalled;
            if (compacted && row.objUsed() > 0)
            {
                (stalled ? SKIPPED : CHECKED).incrementAndGet();
            }
            if (compacted && !stalled)
            {
                assertEquals(layout.minimumChunks(row.index(), objects), row.chunksUsed(),
                    "chunks of class " + row.index() + " after compaction; seed " + SEED + "\n" + row);
                assertEquals(0, row.freeableChunks(), "freeable after compaction");
            }
        }
        if (compacted && !anyStalled)
        {
            final int perPage = 4096 / layout.chunkSize();
            assertEquals((chunks + perPage - 1) / perPage, zsmalloc.classStats().pagesUsed(),
                "pages after compaction hold " + chunks + " chunks; seed " + SEED);
        }
    }
}
