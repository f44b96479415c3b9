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
 * <p>
 * The bitmap gives each group of {@value #PAGES_PER_LINE} pages (a per-CPU cache's batch) a 64-byte cache line of
 * its own: with all 512 bits of a 2 MiB slab in one line, every allocate and free on any CPU wrote that line, and two
 * threads taking and giving pages of their own caches ran at half the rate of one. The cost is 4 bytes of heap per
 * page.
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
    /** Pages whose in-use bits share one cache line. */
    static final int PAGES_PER_LINE = 16;
    private static final int LINE_SHIFT = 4;
    /** Longs per cache line: the stride between two groups' words. */
    private static final int LONGS_PER_LINE = 8;

    Slab(final int index, final Arena arena, final MemorySegment segment, final int pages)
    {
        this.index = index;
        this.arena = arena;
        this.segment = segment;
        this.pages = pages;
        this.freeStack = new int[pages];
        // one line per group, plus a line of slack at each end (the array header, the neighbouring objects)
        this.inUse = new long[(((pages + PAGES_PER_LINE - 1) >>> LINE_SHIFT) + 2) * LONGS_PER_LINE];
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
        return page < pages && ((long)WORDS.getAcquire(inUse, word(page)) & bit(page)) != 0;
    }

    /** Marks a page handed to a user. */
    void markInUse(final int page)
    {
        WORDS.getAndBitwiseOr(inUse, word(page), bit(page));
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
        final long bit = bit(page);
        return ((long)WORDS.getAndBitwiseAnd(inUse, word(page), ~bit) & bit) != 0;
    }

    /** {@return the index of the word holding a page's in-use bit: the first long of its group's line} */
    private static int word(final int page)
    {
        return ((page >>> LINE_SHIFT) + 1) * LONGS_PER_LINE;
    }

    private static long bit(final int page)
    {
        return 1L << (page & (PAGES_PER_LINE - 1));
    }
}
