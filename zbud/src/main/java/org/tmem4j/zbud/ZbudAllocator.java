package org.tmem4j.zbud;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectSizes;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.stats.CounterCatalog;
import org.tmem4j.stats.CounterUnit;

import static org.tmem4j.zbud.PageTable.FIRST;
import static org.tmem4j.zbud.PageTable.LAST;
import static org.tmem4j.zbud.PageTable.NONE;

/**
 * zbud: at most two compressed objects ("buddies") per 4 KiB page, the simplest allocator that packs compressed
 * pages and the one whose behaviour is easiest to predict.
 * <p>
 * <b>Why two.</b> A compressed page is usually between a quarter and most of a page. Two per page caps the
 * density at 2:1 (a page that compresses 6:1 still occupies half a page), but in exchange no object ever crosses
 * a page, none ever moves, a page's fate is decided by two objects, and freeing an object either empties its page
 * or leaves a hole that exactly one object of the right size fills. There is no compaction because there is
 * nothing to compact: the only waste is the unpaired page and the rounding to chunks. On LZ4-compressed pages of
 * the JDK's {@code lib/modules} (about 1.7:1), filled in file order, zbud holds 0.4% more pages than the best
 * offline pairing of the same chunk counts and 1.8% more than the best pairing of the exact byte sizes (see
 * {@link PairingBound}): the online choice costs little, the 64-byte chunks cost the rest.
 * <p>
 * <b>Page layout.</b> A page is 64 chunks of 64 bytes. The first buddy starts at the first chunk, the last buddy
 * ends at the last chunk, and the free chunks are the gap between them, so whichever of the two leaves, the
 * remaining free space is one contiguous run:
 * <pre>
 *   chunk   0             f-1   f                   63-l  64-l           63
 *         +-----+ ... +-----+-----+ ... ... ... +-----+-----+ ... +-----+
 *         |  first buddy    |     free chunks         |   last buddy    |
 *         |  f chunks       |     64 - f - l          |   l chunks      |
 *         +-----+ ... +-----+-----+ ... ... ... +-----+-----+ ... +-----+
 *   byte  0                 64f                       4096-64l          4096
 *         [object .....)pad                           [object ...)pad
 * </pre>
 * An object of any size from 1 to 4096 bytes fits a buddy; one of 64 chunks fills its page alone. Unlike the
 * kernel's zbud, which kept a header in chunk 0 (and so refused objects above 3968 bytes), all metadata lives on
 * the Java heap in a {@link PageTable}, and all 64 chunks hold data.
 * <p>
 * <b>Pairing.</b> A page with one object sits on the unbuddied list indexed by its free chunks (1 to 63); a page
 * with two objects, or with one object that fills it, on the buddied list. An allocation of {@code c} chunks
 * takes the page from the first non-empty unbuddied list at index {@code c} or above: the <i>best fit</i>, the
 * page whose hole it fills most tightly, leaving the roomy holes to the large objects only they can take. A bit
 * mask of non-empty lists finds it in one instruction. With no fit it takes a fresh page from the
 * {@link PageMemory} and becomes that page's first buddy; if the budget leaves no page, it answers
 * {@link #NO_MEMORY}.
 * <p>
 * <b>No eviction here.</b> The engine evicts by its own tmem-level LRU, which knows pools and their kinds, and
 * frees the handles it drops; an allocator-level LRU would be a second mechanism for the same job.
 * <p>
 * <b>Handles</b> ({@link ZbudHandle}) carry a tag of this allocator, the page's slot, the buddy and the buddy's
 * generation, which every free advances. Every use of a handle checks all four, so a handle of another
 * allocator, a freed one or a forged one raises {@link IllegalArgumentException} and never touches memory.
 * <p>
 * <b>Statistics</b> ({@link #stats()} details, described in {@code DETAILS}): {@code buddied} (two objects) and
 * {@code unbuddied} (one object) pages and {@code no_memory} (allocations refused for the budget).
 * <p>
 * <b>Threads.</b> One lock guards the page table; it is held for a few dozen instructions per call. Reads and
 * writes validate the handle under the lock and copy the bytes after releasing it, which is safe because the
 * object cannot move and its owner does not free it while using it.
 */
public final class ZbudAllocator implements ObjectAllocator
{
    /** The name the allocator is found by. */
    public static final String NAME = "zbud";

    private static final AtomicInteger NEXT_TAG = new AtomicInteger();

    private final PageMemory memory;
    private final int tag;
    private final Object lock = new Object();
    /** zbud's own counters, read under the lock: the details of its {@link AllocatorStats}. */
    private static final CounterCatalog<ZbudAllocator> DETAILS = CounterCatalog.<ZbudAllocator>builder()
        .gauge("buddied", CounterUnit.PAGES, "pages holding two objects", z -> z.table.buddiedPages())
        .gauge("unbuddied", CounterUnit.PAGES, "pages holding one object, with room for a buddy",
            z -> z.table.unbuddiedPages())
        .counter("no_memory", CounterUnit.OPERATIONS, "allocations refused because page memory was at its budget",
            z -> z.noMemory)
        .build();

    private final PageTable table = new PageTable(256);
    private boolean closed;
    private long objects;
    private long storedBytes;
    private long noMemory;

    /**
     * Creates an empty allocator that takes its pages from {@code memory} as objects need them.
     *
     * @param memory the page memory to take pages from; shared, and not closed by this allocator.
     */
    public ZbudAllocator(final PageMemory memory)
    {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.tag = (NEXT_TAG.getAndIncrement() & Integer.MAX_VALUE) % ZbudHandle.TAG_MASK + 1;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public int maxStoredSize()
    {
        return MAX_OBJECT_SIZE;
    }

    @Override
    public long allocate(final int size)
    {
        ObjectSizes.checkObjectSize(size);
        final int chunks = PageTable.chunks(size);
        synchronized (lock)
        {
            ensureOpen();
            int slot = table.bestFit(chunks);
            final int buddy;
            if (slot == NONE)
            {
                final int page = table.canAddPage() ? memory.allocate() : PageMemory.NO_PAGE;
                if (page == PageMemory.NO_PAGE)
                {
                    noMemory++;
                    return NO_MEMORY;
                }
                slot = table.addPage(page);
                buddy = FIRST;
            }
            else
            {
                table.unlist(slot);
                buddy = table.size(slot, FIRST) == 0 ? FIRST : LAST;
            }
            table.place(slot, buddy, size);
            table.list(slot);
            objects++;
            storedBytes += size;
            return ZbudHandle.encode(tag, table.generation(slot, buddy), slot, buddy);
        }
    }

    @Override
    public void write(final long handle, final MemorySegment src, final long srcOffset)
    {
        final long location = locate(handle);
        final int page = Location.page(location);
        MemorySegment.copy(src, srcOffset, memory.segment(page), memory.offset(page) + Location.offset(location),
            Location.size(location));
    }

    @Override
    public void read(final long handle, final MemorySegment dst, final long dstOffset)
    {
        final long location = locate(handle);
        final int page = Location.page(location);
        MemorySegment.copy(memory.segment(page), memory.offset(page) + Location.offset(location), dst, dstOffset,
            Location.size(location));
    }

    @Override
    public MemorySegment view(final long handle, final MemorySegment scratch)
    {
        final long location = locate(handle);
        final int page = Location.page(location);
        return memory.segment(page).asSlice(memory.offset(page) + Location.offset(location),
            Location.size(location)).asReadOnly();
    }

    @Override
    public int size(final long handle)
    {
        synchronized (lock)
        {
            ensureOpen();
            return table.size(liveSlot(handle), ZbudHandle.buddy(handle));
        }
    }

    @Override
    public void free(final long handle)
    {
        synchronized (lock)
        {
            ensureOpen();
            freeLocked(handle);
        }
    }

    @Override
    public long compact()
    {
        synchronized (lock)
        {
            ensureOpen();
        }
        return 0;
    }

    @Override
    public AllocatorStats stats()
    {
        synchronized (lock)
        {
            ensureOpen();
            return new AllocatorStats(NAME, objects, storedBytes, table.pages(), DETAILS.values(this));
        }
    }

    /**
     * Gives every page back to the page memory (unless that is closed already, which took them back itself).
     */
    @Override
    public void close()
    {
        synchronized (lock)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            if (!memory.isClosed())
            {
                for (int slot = 0; slot < table.slotCount(); slot++)
                {
                    if (table.isLive(slot))
                    {
                        memory.free(table.pageId(slot));
                    }
                }
            }
        }
    }

    @Override
    public String toString()
    {
        synchronized (lock)
        {
            return closed ? "ZbudAllocator[closed]" : "ZbudAllocator[objects=" + objects + ", storedBytes=" +
                storedBytes + ", pages=" + table.pages() + ", buddied=" + table.buddiedPages() + ", unbuddied=" +
                table.unbuddiedPages() + "]";
        }
    }

    private void freeLocked(final long handle)
    {
        final int slot = liveSlot(handle);
        final int buddy = ZbudHandle.buddy(handle);
        final int size = table.size(slot, buddy);
        table.unlist(slot);
        table.clear(slot, buddy);
        objects--;
        storedBytes -= size;
        if (table.objects(slot) == 0)
        {
            releasePage(slot);
        }
        else
        {
            table.list(slot);
        }
    }

    private void releasePage(final int slot)
    {
        final int page = table.pageId(slot);
        table.removePage(slot);
        memory.free(page);
    }

    private long locate(final long handle)
    {
        synchronized (lock)
        {
            ensureOpen();
            final int slot = liveSlot(handle);
            final int buddy = ZbudHandle.buddy(handle);
            final int size = table.size(slot, buddy);
            return Location.of(table.pageId(slot), (int)PageTable.offsetInPage(buddy, size), size);
        }
    }

    /**
     * @return the slot of a live handle of this allocator.
     * @throws IllegalArgumentException naming what is wrong with any other handle.
     */
    private int liveSlot(final long handle)
    {
        if (handle <= 0 || ZbudHandle.tag(handle) != tag)
        {
            throw new IllegalArgumentException("handle 0x" + Long.toHexString(handle) +
                " was not handed out by this zbud allocator (forged, or from another allocator)");
        }
        final int slot = ZbudHandle.slot(handle);
        final int buddy = ZbudHandle.buddy(handle);
        if (slot >= table.slotCount() || !table.isLive(slot) || table.size(slot, buddy) == 0 ||
            table.generation(slot, buddy) != ZbudHandle.generation(handle))
        {
            throw new IllegalArgumentException("handle 0x" + Long.toHexString(handle) +
                " is not live: its object was freed or evicted, or the handle is forged");
        }
        return slot;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("this zbud allocator is closed");
        }
        if (memory.isClosed())
        {
            throw new IllegalStateException("the page memory under this zbud allocator is closed");
        }
    }

    /** Where an object is, packed into a long so that finding it allocates nothing. */
    private static final class Location
    {
        private Location()
        {
        }

        static long of(final int page, final int offsetInPage, final int size)
        {
            return (long)page << 32 | (long)offsetInPage << 16 | size;
        }

        static int page(final long location)
        {
            return (int)(location >>> 32);
        }

        static int offset(final long location)
        {
            return (int)(location >>> 16) & 0xFFFF;
        }

        static int size(final long location)
        {
            return (int)location & 0xFFFF;
        }
    }
}
