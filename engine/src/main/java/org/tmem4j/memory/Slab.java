package org.tmem4j.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One contiguous run of pages obtained from the operating system in a single mapping, with its own free stack.
 * Guarded by the owning {@link PageMemory}'s lock; only {@link #segment} is read without it.
 */
final class Slab
{
    final int index;
    final Arena arena;
    final MemorySegment segment;
    final int pages;
    private final int[] freeStack;
    private final long[] inUse;
    private int freeTop;

    Slab(final int index, final Arena arena, final MemorySegment segment, final int pages)
    {
        this.index = index;
        this.arena = arena;
        this.segment = segment;
        this.pages = pages;
        this.freeStack = new int[pages];
        this.inUse = new long[(pages + 63) >>> 6];
        // lowest page on top, so a fresh slab is handed out in address order
        for (int i = 0; i < pages; i++)
        {
            freeStack[i] = pages - 1 - i;
        }
        this.freeTop = pages;
    }

    int usedPages()
    {
        return pages - freeTop;
    }

    boolean hasFreePage()
    {
        return freeTop > 0;
    }

    int take()
    {
        final int page = freeStack[--freeTop];
        inUse[page >>> 6] |= 1L << page;
        return page;
    }

    boolean isInUse(final int page)
    {
        return page < pages && (inUse[page >>> 6] & (1L << page)) != 0;
    }

    void give(final int page)
    {
        inUse[page >>> 6] &= ~(1L << page);
        freeStack[freeTop++] = page;
    }
}
