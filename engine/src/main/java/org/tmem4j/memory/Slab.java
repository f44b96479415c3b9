package org.tmem4j.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One contiguous run of pages obtained from the operating system in a single mapping, with its own free stack and
 * a bitmap of the pages handed to users. The free stack is guarded by the owning {@link PageMemory}'s lock; the
 * bitmap is updated atomically without it, so that a page moving between a user and a per-CPU cache never takes
 * the global lock, and a double free is caught wherever it happens.
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

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

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

    /** Takes a page off the free stack; it is not yet marked in use. */
    int take()
    {
        return freeStack[--freeTop];
    }

    /** Puts a page that is not in use back on the free stack. */
    void give(final int page)
    {
        freeStack[freeTop++] = page;
    }

    boolean isInUse(final int page)
    {
        return page < pages && ((long)WORDS.getAcquire(inUse, page >>> 6) & (1L << page)) != 0;
    }

    /** Marks a page handed to a user. */
    void markInUse(final int page)
    {
        WORDS.getAndBitwiseOr(inUse, page >>> 6, 1L << page);
    }

    /**
     * Marks a page given back by its user.
     *
     * @return false if it was not in use (a double free, or an id never handed out).
     */
    boolean clearInUse(final int page)
    {
        if (page >= pages)
        {
            return false;
        }
        final long bit = 1L << page;
        return ((long)WORDS.getAndBitwiseAnd(inUse, page >>> 6, ~bit) & bit) != 0;
    }
}
