package org.tmem4j.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One contiguous run of pages obtained from the operating system in a single mapping, with its own free stack and
 * a bitmap of the pages that are out of it (held by a per-CPU cache or by a user). Both are written only under the
 * owning {@link PageMemory}'s lock, a batch at a time; the bitmap is read without it, by a free that checks the page
 * came from here. Whether an out page is with a user or cached is marked in the page itself (see
 * {@link PageMemory}), so that taking and giving a page through a per-CPU cache writes no line that another page's
 * traffic writes too.
 */
final class Slab
{
    final int index;
    final Arena arena;
    final MemorySegment segment;
    final int pages;
    private final int[] freeStack;
    private final long[] out;
    private int freeTop;

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    Slab(final int index, final Arena arena, final MemorySegment segment, final int pages)
    {
        this.index = index;
        this.arena = arena;
        this.segment = segment;
        this.pages = pages;
        this.freeStack = new int[pages];
        this.out = new long[(pages + Long.SIZE - 1) >>> 6];
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

    /** {@return the page {@link #take()} takes next, under the page memory's lock; the slab has a free page} */
    int nextFree()
    {
        return freeStack[freeTop - 1];
    }

    /**
     * Takes the page {@link #nextFree()} names off the free stack and marks it out, under the page memory's lock.
     * The bit is written with release semantics: what the caller wrote to the page before is seen by any thread that
     * sees the page out.
     */
    void take()
    {
        final int page = freeStack[--freeTop];
        final int word = page >>> 6;
        WORDS.setRelease(out, word, (long)WORDS.getVolatile(out, word) | 1L << page);
    }

    /** Puts an out page back on the free stack and marks it in, under the page memory's lock. */
    void give(final int page)
    {
        final int word = page >>> 6;
        WORDS.setRelease(out, word, (long)WORDS.getVolatile(out, word) & ~(1L << page));
        freeStack[freeTop++] = page;
    }

    /** {@return whether a page is out of this slab: held by a cache or a user (read without the lock)} */
    boolean isOut(final int page)
    {
        return page >= 0 && page < pages && ((long)WORDS.getAcquire(out, page >>> 6) & 1L << page) != 0;
    }
}
