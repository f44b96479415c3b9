package org.tmem4j.zbud;

import java.util.Arrays;

import org.tmem4j.concurrent.CacheLinePadding;
import org.tmem4j.memory.PageMemory;

/**
 * The on-heap metadata of a zbud pool: one record per page held, with the intrusive doubly linked lists that
 * thread the records together on the budlists. Keeping it off the pages leaves all 64 chunks of each page to data.
 * <p>
 * A record is 8 ints (32 bytes) of one {@code int[]}, so the fields an operation touches share one cache line
 * instead of one line per field, and no object exists per page:
 * <pre>
 *   record of slot s, at s * 8:
 *   | page id | size first | size last | gen first | gen last | list | list next | list prev |
 * </pre>
 * The budlists are {@code lists[free]} for a page with one object and {@code free} free chunks (1..63), and
 * {@code lists[0]}, the buddied list, for pages that can take no further object. A bit mask of the non-empty
 * unbuddied lists makes best fit one {@link Long#numberOfTrailingZeros} instead of a scan.
 * <p>
 * <b>Layout.</b> Each shard of the allocator has a table, written on every allocation and free of its CPU, so no line
 * of one table may hold another CPU's data: the fields sit between a cache line of padding on each side (superclass,
 * fields, subclass padding), and each array keeps {@value PageTableFields#SLACK} ints of slack at either end, so
 * that its first and last elements never share a line with the object the heap put next to it.
 * <p>
 * Not thread-safe: the allocator guards it with its lock.
 */
final class PageTable extends PageTableFields
{
    static final int CHUNK_SHIFT = 6;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    static final int CHUNKS = PageMemory.PAGE_SIZE >>> CHUNK_SHIFT;
    static final int FIRST = 0;
    static final int LAST = 1;
    static final int NONE = -1;

    private static final int BUDDIED = 0;
    /** List index of a slot that is on no list: a free slot, or a page an allocation or free is changing. */
    private static final int UNLISTED = -1;

    static final int STRIDE_SHIFT = 3;
    private static final int STRIDE = 1 << STRIDE_SHIFT;
    /** Answer of {@link #findLive} for a slot that holds no live object of the generation asked for. */
    static final long NO_RECORD = -1;
    private static final int PAGE_ID = 0;
    private static final int SIZE = 1;
    private static final int GENERATION = 3;
    private static final int LIST = 5;
    private static final int LIST_NEXT = 6;
    private static final int LIST_PREV = 7;

    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7;

    PageTable(final int initialSlots)
    {
        super(Math.max(16, initialSlots));
    }

    static int chunks(final int size)
    {
        return (size + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
    }

    private static int at(final int slot)
    {
        return SLACK + (slot << STRIDE_SHIFT);
    }

    /**
     * @param chunks chunks the new object needs.
     * @return the listed page with one object and the fewest free chunks that still hold {@code chunks}, or
     * {@link #NONE}.
     */
    int bestFit(final int chunks)
    {
        final long fitting = chunks >= CHUNKS ? 0 : unbuddiedMask & (-1L << chunks);
        return fitting == 0 ? NONE : listHeads[SLACK + Long.numberOfTrailingZeros(fitting)];
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
     * @return the slot now describing it: empty and on no list. Its buddies' generations are those the
     * slot's previous page left.
     */
    int addPage(final int pageId)
    {
        final int slot;
        if (freeSlotCount > 0)
        {
            slot = freeSlots[SLACK + --freeSlotCount];
        }
        else
        {
            if (slotCount == capacity())
            {
                grow();
            }
            slot = slotCount++;
        }
        final int r = at(slot);
        records[r + PAGE_ID] = pageId;
        records[r + LIST] = UNLISTED;
        pages++;
        return slot;
    }

    /** Forgets an empty page that is on no list. Its buddies' generations live on. */
    void removePage(final int slot)
    {
        records[at(slot) + PAGE_ID] = PageMemory.NO_PAGE;
        freeSlots[SLACK + freeSlotCount++] = slot;
        pages--;
    }

    /**
     * Reads, without the allocator's lock, where a live object is: a read that a change of the table may overlap, so
     * it never throws and reads whatever array it finds; the caller keeps the answer only if no change overlapped
     * (the shard's version).
     *
     * @return {@code pageId << 16 | size} if the slot holds a page whose buddy is an object of the given generation,
     * else {@link #NO_RECORD}.
     */
    long findLive(final int slot, final int buddy, final int generation)
    {
        final int[] table = records;
        final int r = at(slot);
        if (slot >= slotCount || r + STRIDE > table.length)
        {
            return NO_RECORD;
        }
        final int pageId = table[r + PAGE_ID];
        final int size = table[r + SIZE + buddy];
        if (pageId == PageMemory.NO_PAGE || size == 0 || table[r + GENERATION + buddy] != generation)
        {
            return NO_RECORD;
        }
        return (long)pageId << 16 | size;
    }

    /** {@return the page id of an answer of {@link #findLive}} */
    static int pageIdOf(final long found)
    {
        return (int)(found >>> 16);
    }

    /** {@return the object's size in an answer of {@link #findLive}} */
    static int sizeOf(final long found)
    {
        return (int)found & 0xFFFF;
    }

    int slotCount()
    {
        return slotCount;
    }

    /** Whether a slot below {@link #slotCount()} holds a page. */
    boolean isLive(final int slot)
    {
        return records[at(slot) + PAGE_ID] != PageMemory.NO_PAGE;
    }

    int pageId(final int slot)
    {
        return records[at(slot) + PAGE_ID];
    }

    int size(final int slot, final int buddy)
    {
        return records[at(slot) + SIZE + buddy];
    }

    int generation(final int slot, final int buddy)
    {
        return records[at(slot) + GENERATION + buddy];
    }

    int objects(final int slot)
    {
        final int r = at(slot);
        return (records[r + SIZE] != 0 ? 1 : 0) + (records[r + SIZE + 1] != 0 ? 1 : 0);
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
        records[at(slot) + SIZE + buddy] = size;
        countTransition(before, before + 1);
    }

    /** Empties a buddy of an unlisted page; handles to it go stale. */
    void clear(final int slot, final int buddy)
    {
        final int before = objects(slot);
        final int r = at(slot);
        records[r + SIZE + buddy] = 0;
        records[r + GENERATION + buddy] = (records[r + GENERATION + buddy] + 1) & ZbudHandle.GENERATION_MASK;
        countTransition(before, before - 1);
    }

    private void countTransition(final int before, final int after)
    {
        buddiedPages += (after == 2 ? 1 : 0) - (before == 2 ? 1 : 0);
        unbuddiedPages += (after == 1 ? 1 : 0) - (before == 1 ? 1 : 0);
    }

    /** Puts a page holding at least one object on the budlist its free chunks call for. */
    void list(final int slot)
    {
        final int r = at(slot);
        final int first = records[r + SIZE];
        final int last = records[r + SIZE + 1];
        final int index = first != 0 && last != 0 ? BUDDIED : CHUNKS - chunks(first + last);
        final int head = listHeads[SLACK + index];
        records[r + LIST] = index;
        records[r + LIST_PREV] = NONE;
        records[r + LIST_NEXT] = head;
        if (head != NONE)
        {
            records[at(head) + LIST_PREV] = slot;
        }
        listHeads[SLACK + index] = slot;
        if (index != BUDDIED)
        {
            unbuddiedMask |= 1L << index;
        }
    }

    void unlist(final int slot)
    {
        final int r = at(slot);
        final int index = records[r + LIST];
        final int prev = records[r + LIST_PREV];
        final int next = records[r + LIST_NEXT];
        if (prev != NONE)
        {
            records[at(prev) + LIST_NEXT] = next;
        }
        else
        {
            listHeads[SLACK + index] = next;
            if (next == NONE && index != BUDDIED)
            {
                unbuddiedMask &= ~(1L << index);
            }
        }
        if (next != NONE)
        {
            records[at(next) + LIST_PREV] = prev;
        }
        records[r + LIST] = UNLISTED;
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

    /** {@return the slots the arrays have room for} */
    private int capacity()
    {
        return freeSlots.length - 2 * SLACK;
    }

    private void grow()
    {
        final int capacity = capacity();
        if (capacity >= ZbudHandle.MAX_SLOTS)
        {
            throw new IllegalStateException("a zbud allocator holds at most " + ZbudHandle.MAX_SLOTS + " pages");
        }
        final int grown = (int)Math.min(ZbudHandle.MAX_SLOTS, 2L * capacity);
        records = Arrays.copyOf(records, (grown << STRIDE_SHIFT) + 2 * SLACK);
        freeSlots = Arrays.copyOf(freeSlots, grown + 2 * SLACK);
    }
}

/**
 * The fields of a {@link PageTable}, after the padding before them; the arrays are laid out with
 * {@link #SLACK} ints of slack at either end.
 */
abstract class PageTableFields extends CacheLinePadding
{
    /** Ints of slack before and after the data of each array: one cache line each. */
    static final int SLACK = 16;

    int[] records;
    int[] freeSlots;
    int freeSlotCount;
    int slotCount;

    final int[] listHeads = new int[PageTable.CHUNKS + 2 * SLACK];
    long unbuddiedMask;

    long pages;
    long buddiedPages;
    long unbuddiedPages;

    PageTableFields(final int capacity)
    {
        records = new int[(capacity << PageTable.STRIDE_SHIFT) + 2 * SLACK];
        freeSlots = new int[capacity + 2 * SLACK];
        Arrays.fill(listHeads, PageTable.NONE);
    }
}
