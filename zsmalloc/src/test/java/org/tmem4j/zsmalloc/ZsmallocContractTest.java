package org.tmem4j.zsmalloc;

import java.util.HashMap;
import java.util.Map;

import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectAllocatorContract;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The engine's allocator contract (model-based 10^6 operations, concurrent stress with a compactor, bad sizes,
 * freed/forged/foreign handles, use after close), run against zsmalloc found by name; after every compaction each
 * class must hold exactly the minimum pages for its live objects.
 */
final class ZsmallocContractTest extends ObjectAllocatorContract
{
    @Override
    protected String allocatorName()
    {
        return "zsmalloc";
    }

    @Override
    protected void checkPages(final ObjectAllocator allocator, final int[] liveSizes, final boolean compacted)
    {
        final Zsmalloc zsmalloc = (Zsmalloc)allocator;
        final ClassLayout layout = zsmalloc.layout();
        final Map<Integer, Long> expectedObjects = new HashMap<>();
        for (final int size : liveSizes)
        {
            expectedObjects.merge(layout.classOf(size), 1L, Long::sum);
        }
        for (final ClassStats row : zsmalloc.classStats().classes())
        {
            final long objects = expectedObjects.getOrDefault(row.index(), 0L);
            assertEquals(objects, row.objUsed(), "objects in class " + row.index() + "; seed " + SEED);
            if (compacted)
            {
                assertEquals(layout.minimumPages(row.index(), objects), row.pagesUsed(),
                    "pages of class " + row.index() + " after compaction; seed " + SEED + "\n" + row);
                assertEquals(0, row.freeable(), "freeable after compaction");
            }
        }
    }
}
