package org.tmem4j.zsmalloc;

import java.util.Arrays;

import org.tmem4j.memory.PageMemory;

/**
 * One zspage: {@code k} logical pages laid end to end, cut into {@code n} slots of one class's size. Slot {@code i}
 * covers bytes {@code [i·size, (i+1)·size)} of the logical run, so a slot may straddle two pages.
 * <p>
 * The physical pages are not contiguous and are taken from the {@link PageMemory} only while a live slot touches
 * them: each page counts the live slots that touch it, is taken when the first one is allocated and given back when
 * the last one is freed. A zspage that is filling therefore holds only the pages it has reached, and holes left by
 * frees return whole pages without waiting for compaction.
 * <p>
 * Free slots are a bitmap, and allocation takes the lowest free slot, so live objects gather at the front and the
 * tail pages stay free. Each slot remembers the handle-table index of its object, which is how compaction finds the
 * entry to rewrite when it moves the object.
 * <p>
 * Not thread-safe: guarded by the owning {@link SizeClass}'s lock.
 */
final class ZsPage
{
    static final int FREE_SLOT = -1;

    final int id;
    final int[] pages;
    private final int[] slotsOnPage;
    private final int[] owner;
    private final long[] freeSlots;
    private final int slotSize;
    int inUse;
    int presentPages;
    int group;
    ZsPage prev;
    ZsPage next;

    ZsPage(final int id, final int pagesPerZspage, final int objects, final int slotSize)
    {
        this.id = id;
        this.slotSize = slotSize;
        pages = new int[pagesPerZspage];
        Arrays.fill(pages, PageMemory.NO_PAGE);
        slotsOnPage = new int[pagesPerZspage];
        owner = new int[objects];
        Arrays.fill(owner, FREE_SLOT);
        freeSlots = new long[(objects + 63) >>> 6];
        Arrays.fill(freeSlots, -1L);
        if ((objects & 63) != 0)
        {
            freeSlots[freeSlots.length - 1] = (1L << (objects & 63)) - 1;
        }
    }

    /**
     * @return the lowest free slot, or -1 when full.
     */
    int lowestFreeSlot()
    {
        for (int w = 0; w < freeSlots.length; w++)
        {
            if (freeSlots[w] != 0)
            {
                return (w << 6) + Long.numberOfTrailingZeros(freeSlots[w]);
            }
        }
        return -1;
    }

    /**
     * @return the highest live slot, or -1 when empty.
     */
    int highestLiveSlot()
    {
        for (int w = freeSlots.length - 1; w >= 0; w--)
        {
            final long liveBits = ~freeSlots[w] & validBits(w);
            if (liveBits != 0)
            {
                return (w << 6) + 63 - Long.numberOfLeadingZeros(liveBits);
            }
        }
        return -1;
    }

    private long validBits(final int word)
    {
        final int objects = owner.length;
        return word == freeSlots.length - 1 && (objects & 63) != 0 ? (1L << (objects & 63)) - 1 : -1L;
    }

    /**
     * Takes a free slot for the object with handle-table index {@code handleIndex}, taking the pages it touches
     * that are not yet present.
     *
     * @return how many pages were taken, or -1 if the page memory had none (nothing changed then).
     */
    int take(final int slot, final int handleIndex, final PageMemory memory)
    {
        final int first = firstPage(slot);
        final int last = lastPage(slot);
        int taken = 0;
        for (int p = first; p <= last; p++)
        {
            if (pages[p] == PageMemory.NO_PAGE)
            {
                final int page = memory.allocate();
                if (page == PageMemory.NO_PAGE)
                {
                    for (int q = first; q < p; q++)
                    {
                        if (slotsOnPage[q] == 0 && pages[q] != PageMemory.NO_PAGE)
                        {
                            memory.free(pages[q]);
                            pages[q] = PageMemory.NO_PAGE;
                            presentPages--;
                        }
                    }
                    return -1;
                }
                pages[p] = page;
                presentPages++;
                taken++;
            }
        }
        for (int p = first; p <= last; p++)
        {
            slotsOnPage[p]++;
        }
        freeSlots[slot >>> 6] &= ~(1L << slot);
        owner[slot] = handleIndex;
        inUse++;
        return taken;
    }

    /**
     * Frees a live slot, giving back the pages no live slot touches any more.
     *
     * @return how many pages were given back.
     */
    int release(final int slot, final PageMemory memory)
    {
        int given = 0;
        for (int p = firstPage(slot), last = lastPage(slot); p <= last; p++)
        {
            if (--slotsOnPage[p] == 0)
            {
                memory.free(pages[p]);
                pages[p] = PageMemory.NO_PAGE;
                presentPages--;
                given++;
            }
        }
        freeSlots[slot >>> 6] |= 1L << slot;
        owner[slot] = FREE_SLOT;
        inUse--;
        return given;
    }

    /**
     * @return the handle-table index of the object in a slot, or {@link #FREE_SLOT}.
     */
    int owner(final int slot)
    {
        return owner[slot];
    }

    /**
     * @return whether every slot is taken.
     */
    boolean isFull()
    {
        return inUse == owner.length;
    }

    /**
     * @return the number of slots.
     */
    int objects()
    {
        return owner.length;
    }

    /**
     * @return byte offset of a slot in the zspage's logical run of pages.
     */
    long slotOffset(final int slot)
    {
        return (long)slot * slotSize;
    }

    /**
     * Gives back every page (the allocator is closing).
     */
    void releaseAll(final PageMemory memory)
    {
        for (int p = 0; p < pages.length; p++)
        {
            if (pages[p] != PageMemory.NO_PAGE)
            {
                memory.free(pages[p]);
                pages[p] = PageMemory.NO_PAGE;
            }
        }
        presentPages = 0;
    }

    private int firstPage(final int slot)
    {
        return (int)(slotOffset(slot) >>> PageMemory.PAGE_SHIFT);
    }

    private int lastPage(final int slot)
    {
        return (int)((slotOffset(slot) + slotSize - 1) >>> PageMemory.PAGE_SHIFT);
    }
}
