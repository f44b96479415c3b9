package org.tmem4j.zbud;

import java.util.Arrays;

import org.tmem4j.memory.PageMemory;

/**
 * The on-heap metadata of a zbud pool: one slot per page held, in parallel primitive arrays, with the intrusive
 * doubly linked lists that thread the slots together. Keeping it off the pages leaves all 64 chunks of each page
 * to data and keeps every lookup in cache-friendly arrays with no object per page.
 * <p>
 * Per slot: the page's id in the {@link PageMemory}, the size and generation of each buddy, the budlist it is on
 * and its place in the LRU. The budlists are {@code lists[free]} for a page with one object and {@code free} free
 * chunks (1..63), and {@code lists[0]}, the buddied list, for pages that can take no further object. A bit mask
 * of the non-empty unbuddied lists makes best fit one {@link Long#numberOfTrailingZeros} instead of a scan.
 * <p>
 * Not thread-safe: the allocator guards it with its lock.
 */
final class PageTable
{
    static final int CHUNK_SHIFT = 6;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    static final int CHUNKS = PageMemory.PAGE_SIZE >>> CHUNK_SHIFT;
    static final int FIRST = 0;
    static final int LAST = 1;
    static final int NONE = -1;

    private static final int BUDDIED = 0;
    /** List index of a slot that is on no list: a free slot, or a page being reclaimed. */
    private static final int UNLISTED = -1;

    private int[] pageIds;
    private int[] sizes;
    private int[] generations;
    private int[] listIndex;
    private int[] listNext;
    private int[] listPrev;
    private int[] lruNewer;
    private int[] lruOlder;
    private int[] freeSlots;
    private int freeSlotCount;
    private int slotCount;

    private final int[] listHeads = new int[CHUNKS];
    private long unbuddiedMask;
    private int lruNewest = NONE;
    private int lruOldest = NONE;

    private long pages;
    private long buddiedPages;
    private long unbuddiedPages;

    PageTable(final int initialSlots)
    {
        final int capacity = Math.max(16, initialSlots);
        pageIds = new int[capacity];
        Arrays.fill(pageIds, PageMemory.NO_PAGE);
        sizes = new int[2 * capacity];
        generations = new int[2 * capacity];
        listIndex = new int[capacity];
        listNext = new int[capacity];
        listPrev = new int[capacity];
        lruNewer = new int[capacity];
        lruOlder = new int[capacity];
        freeSlots = new int[capacity];
        Arrays.fill(listHeads, NONE);
    }

    static int chunks(final int size)
    {
        return (size + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
    }

    /**
     * @param chunks chunks the new object needs.
     * @return the listed page with one object and the fewest free chunks that still hold {@code chunks}, or
     * {@link #NONE}.
     */
    int bestFit(final int chunks)
    {
        final long fitting = chunks >= CHUNKS ? 0 : unbuddiedMask & (-1L << chunks);
        return fitting == 0 ? NONE : listHeads[Long.numberOfTrailingZeros(fitting)];
    }

    /**
     * @return whether a slot is left for one more page.
     */
    boolean canAddPage()
    {
        return freeSlotCount > 0 || slotCount < ZbudHandle.MAX_SLOTS;
    }

    /**
     * @param pageId a page just taken from the page memory.
     * @return the slot now describing it: empty, on no list, not in the LRU.
     */
    int addPage(final int pageId)
    {
        final int slot;
        if (freeSlotCount > 0)
        {
            slot = freeSlots[--freeSlotCount];
        }
        else
        {
            if (slotCount == pageIds.length)
            {
                grow();
            }
            slot = slotCount++;
        }
        pageIds[slot] = pageId;
        listIndex[slot] = UNLISTED;
        lruOlder[slot] = NONE;
        lruNewer[slot] = NONE;
        pages++;
        return slot;
    }

    /** Forgets an empty page that is on no list and not in the LRU. Its buddies' generations live on. */
    void removePage(final int slot)
    {
        pageIds[slot] = PageMemory.NO_PAGE;
        freeSlots[freeSlotCount++] = slot;
        pages--;
    }

    int slotCount()
    {
        return slotCount;
    }

    boolean isLive(final int slot)
    {
        return pageIds[slot] != PageMemory.NO_PAGE;
    }

    int pageId(final int slot)
    {
        return pageIds[slot];
    }

    int size(final int slot, final int buddy)
    {
        return sizes[2 * slot + buddy];
    }

    int generation(final int slot, final int buddy)
    {
        return generations[2 * slot + buddy];
    }

    int objects(final int slot)
    {
        return (sizes[2 * slot] != 0 ? 1 : 0) + (sizes[2 * slot + 1] != 0 ? 1 : 0);
    }

    /** The first buddy starts the page; the last ends it, rounded to whole chunks. */
    static long offsetInPage(final int buddy, final int size)
    {
        return buddy == FIRST ? 0 : PageMemory.PAGE_SIZE - ((long)chunks(size) << CHUNK_SHIFT);
    }

    /** Puts an object into an empty buddy of an unlisted page. */
    void place(final int slot, final int buddy, final int size)
    {
        final int before = objects(slot);
        sizes[2 * slot + buddy] = size;
        countTransition(before, before + 1);
    }

    /** Empties a buddy of an unlisted page; handles to it go stale. */
    void clear(final int slot, final int buddy)
    {
        final int before = objects(slot);
        sizes[2 * slot + buddy] = 0;
        generations[2 * slot + buddy] = (generations[2 * slot + buddy] + 1) & ZbudHandle.GENERATION_MASK;
        countTransition(before, before - 1);
    }

    private void countTransition(final int before, final int after)
    {
        buddiedPages += (after == 2 ? 1 : 0) - (before == 2 ? 1 : 0);
        unbuddiedPages += (after == 1 ? 1 : 0) - (before == 1 ? 1 : 0);
    }

    boolean isListed(final int slot)
    {
        return listIndex[slot] != UNLISTED;
    }

    /** Puts a page holding at least one object on the budlist its free chunks call for. */
    void list(final int slot)
    {
        final int first = sizes[2 * slot];
        final int last = sizes[2 * slot + 1];
        final int index = first != 0 && last != 0 ? BUDDIED : CHUNKS - chunks(first + last);
        final int head = listHeads[index];
        listIndex[slot] = index;
        listPrev[slot] = NONE;
        listNext[slot] = head;
        if (head != NONE)
        {
            listPrev[head] = slot;
        }
        listHeads[index] = slot;
        if (index != BUDDIED)
        {
            unbuddiedMask |= 1L << index;
        }
    }

    void unlist(final int slot)
    {
        final int index = listIndex[slot];
        final int prev = listPrev[slot];
        final int next = listNext[slot];
        if (prev != NONE)
        {
            listNext[prev] = next;
        }
        else
        {
            listHeads[index] = next;
            if (next == NONE && index != BUDDIED)
            {
                unbuddiedMask &= ~(1L << index);
            }
        }
        if (next != NONE)
        {
            listPrev[next] = prev;
        }
        listIndex[slot] = UNLISTED;
    }

    /** Makes a page the most recently used; it need not be in the LRU yet. */
    void touch(final int slot)
    {
        if (lruNewest == slot)
        {
            return;
        }
        if (lruOlder[slot] != NONE || lruNewer[slot] != NONE || lruOldest == slot)
        {
            forget(slot);
        }
        lruOlder[slot] = lruNewest;
        lruNewer[slot] = NONE;
        if (lruNewest != NONE)
        {
            lruNewer[lruNewest] = slot;
        }
        else
        {
            lruOldest = slot;
        }
        lruNewest = slot;
    }

    /** Takes a page out of the LRU. */
    void forget(final int slot)
    {
        final int older = lruOlder[slot];
        final int newer = lruNewer[slot];
        if (older != NONE)
        {
            lruNewer[older] = newer;
        }
        else
        {
            lruOldest = newer;
        }
        if (newer != NONE)
        {
            lruOlder[newer] = older;
        }
        else
        {
            lruNewest = older;
        }
        lruOlder[slot] = NONE;
        lruNewer[slot] = NONE;
    }

    /**
     * @return the least recently used page in the LRU, or {@link #NONE}.
     */
    int oldest()
    {
        return lruOldest;
    }

    long pages()
    {
        return pages;
    }

    long buddiedPages()
    {
        return buddiedPages;
    }

    long unbuddiedPages()
    {
        return unbuddiedPages;
    }

    private void grow()
    {
        if (pageIds.length >= ZbudHandle.MAX_SLOTS)
        {
            throw new IllegalStateException("a zbud allocator holds at most " + ZbudHandle.MAX_SLOTS + " pages");
        }
        final int old = pageIds.length;
        final int capacity = (int)Math.min(ZbudHandle.MAX_SLOTS, 2L * old);
        pageIds = Arrays.copyOf(pageIds, capacity);
        Arrays.fill(pageIds, old, capacity, PageMemory.NO_PAGE);
        sizes = Arrays.copyOf(sizes, 2 * capacity);
        generations = Arrays.copyOf(generations, 2 * capacity);
        listIndex = Arrays.copyOf(listIndex, capacity);
        listNext = Arrays.copyOf(listNext, capacity);
        listPrev = Arrays.copyOf(listPrev, capacity);
        lruNewer = Arrays.copyOf(lruNewer, capacity);
        lruOlder = Arrays.copyOf(lruOlder, capacity);
        freeSlots = Arrays.copyOf(freeSlots, capacity);
    }
}
