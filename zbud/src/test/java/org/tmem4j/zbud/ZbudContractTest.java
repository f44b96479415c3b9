package org.tmem4j.zbud;

import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectAllocatorContract;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The allocator contract, run against zbud as found by its name.
 */
final class ZbudContractTest extends ObjectAllocatorContract
{
    @Override
    protected String allocatorName()
    {
        return ZbudAllocator.NAME;
    }

    /** zbud never holds a page without an object, and no two-per-page packing needs fewer pages. */
    @Override
    protected void checkPages(final ObjectAllocator allocator, final int[] liveSizes, final boolean compacted)
    {
        final long pages = allocator.stats().pagesUsed();
        assertTrue(pages <= liveSizes.length, pages + " pages for " + liveSizes.length + " objects; seed " + SEED);
        final long bound = PairingBound.minPages(liveSizes, PageMemory.PAGE_SIZE, PageTable.CHUNK_SIZE);
        assertTrue(pages >= bound, pages + " pages, below the pairing bound " + bound + "; seed " + SEED);
    }
}
