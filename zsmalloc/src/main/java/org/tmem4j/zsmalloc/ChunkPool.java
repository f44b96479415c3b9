package org.tmem4j.zsmalloc;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.collections.Int2ObjectHashMap;
import org.tmem4j.memory.PageMemory;

/**
 * Pool pages cut into equal chunks (1/1, 1/2, 1/4 or 1/8 of a page), the unit zspages are built from.
 * <p>
 * <b>Why chunks.</b> A size class always has one zspage that is still filling, and the last page that zspage has
 * reached is on average half empty; with whole pages that costs about 2 KiB per class in use, which on a pool of a
 * few thousand pages is as much as all other waste together. Building zspages from eighth pages (the default) cuts
 * it to about 256 bytes per class, and the chunks of different classes share pages.
 * <p>
 * Chunks are handed out from the fullest page that has a free one, so pages fill up and empty ones are rare. A page
 * whose last chunk goes back is returned to the {@link PageMemory}, except for one empty page kept as a spare so
 * that a workload allocating and freeing around a page boundary does not take and return the same page every call.
 * Every chunk records its owner (zspage and position), so that {@link #reclaim} can move chunks out of sparse pages
 * into the free chunks of fuller ones and give the emptied pages back.
 * <p>
 * <b>Giving pages back as objects go.</b> The kernel's zspages own their pages, so a zspage whose last object is
 * freed gives its pages back at once. Here chunks of different classes share pages (that is what makes the open
 * zspage of each class cheap), so a class that empties leaves free chunks scattered over pages that other classes
 * still use. On PostgreSQL relation files, where the two 4 KiB halves of each 8 KiB database page compress to
 * different sizes and land in different classes, freeing every other page emptied whole classes and yet kept every
 * page. So {@link #release} reports when the free chunks in partly used pages pass {@link #slackChunks()} (1/128 of
 * the chunks held, at least two pages' worth), and the freeing thread, once it holds no class lock, moves chunks out
 * of the sparsest pages ({@link #reclaim}) until they are down to half of that: a copy of one chunk per move, no
 * object moves, no handle rewritten. Allocation refills free chunks before it takes a page, so the moves happen only
 * while frees outrun allocations.
 * <p>
 * A chunk id is {@code page << 3 | chunk within page}. Thread-safe under one lock; callers that hold a size class's
 * lock take this one after it, never before.
 */
final class ChunkPool
{
    static final int NO_CHUNK = -1;
    private static final int MAX_PAGE_ID = (1 << 28) - 1;

    final int chunkSize;
    final int chunkShift;
    final int chunksPerPage;
    private final PageMemory memory;
    private final Object lock = new Object();
    private final Int2ObjectHashMap<PageChunks> pages = new Int2ObjectHashMap<>();
    /** Pages by chunks in use: index 0 holds the spare empty page, index chunksPerPage the full pages (unlisted). */
    private final PageChunks[] byUse;
    /** Free chunks in pages that are neither full nor empty. */
    private long roomInPartialPages;
    private long chunksHeld;
    private long chunksMoved;
    private final AtomicBoolean reclaiming = new AtomicBoolean();
    private volatile boolean reclaimDue;

    /** One pool page: which of its chunks are taken and by whom. */
    private static final class PageChunks
    {
        final int page;
        final ZsPage[] owners;
        final int[] positions;
        int used;
        PageChunks prev;
        PageChunks next;

        PageChunks(final int page, final int chunks)
        {
            this.page = page;
            owners = new ZsPage[chunks];
            positions = new int[chunks];
        }
    }

    ChunkPool(final PageMemory memory, final int chunkSize)
    {
        this.memory = memory;
        this.chunkSize = chunkSize;
        chunkShift = Integer.numberOfTrailingZeros(chunkSize);
        chunksPerPage = PageMemory.PAGE_SIZE / chunkSize;
        byUse = new PageChunks[chunksPerPage + 1];
    }

    /**
     * Takes a chunk for position {@code position} of {@code owner}.
     *
     * @return the chunk id, or {@link #NO_CHUNK} when no chunk is free and the page memory has no page.
     */
    int acquire(final ZsPage owner, final int position)
    {
        synchronized (lock)
        {
            PageChunks target = null;
            for (int used = chunksPerPage - 1; used >= 0 && target == null; used--)
            {
                target = byUse[used];
            }
            if (target == null)
            {
                final int page = memory.allocate();
                if (page == PageMemory.NO_PAGE)
                {
                    return NO_CHUNK;
                }
                if (page > MAX_PAGE_ID)
                {
                    memory.free(page);
                    return NO_CHUNK;
                }
                target = new PageChunks(page, chunksPerPage);
                pages.put(page, target);
            }
            else
            {
                unlink(target);
            }
            int index = 0;
            while (target.owners[index] != null)
            {
                index++;
            }
            target.owners[index] = owner;
            target.positions[index] = position;
            target.used++;
            chunksHeld++;
            link(target);
            updateReclaimDue();
            return target.page << 3 | index;
        }
    }

    /**
     * Gives a chunk back; its page goes back to the page memory once empty, unless it becomes the spare.
     *
     * Raises {@link #reclaimDue()} when the free chunks in partly used pages exceed {@link #slackChunks()}.
     */
    void release(final int chunk)
    {
        synchronized (lock)
        {
            final PageChunks page = pages.get(chunk >>> 3);
            unlink(page);
            page.owners[chunk & 7] = null;
            page.used--;
            chunksHeld--;
            if (page.used == 0 && byUse[0] != null)
            {
                pages.remove(page.page);
                memory.free(page.page);
            }
            else
            {
                link(page);
            }
            updateReclaimDue();
        }
    }

    /**
     * @return whether free chunks in partly used pages exceed {@link #slackChunks()}: a freeing thread should then
     * {@link #reclaim} once it holds no class lock. Read without the lock.
     */
    boolean reclaimDue()
    {
        return reclaimDue;
    }

    private void updateReclaimDue()
    {
        final boolean due = roomInPartialPages > slackChunks();
        if (due != reclaimDue)
        {
            reclaimDue = due;
        }
    }

    /**
     * Free chunks in partly used pages tolerated before frees move chunks: 1/128 of the chunks held, at least two
     * pages' worth. Called under the lock.
     */
    private long slackChunks()
    {
        return Math.max(2L * chunksPerPage, chunksHeld >>> 7);
    }

    /**
     * Moves chunks out of the sparsest pages into free chunks of fuller ones until the free chunks in partly used
     * pages are down to half of {@link #slackChunks()}. At most one thread reclaims at a time; another caller returns
     * at once. The caller must hold no class lock (each move takes the owning class's lock, then this pool's).
     *
     * @return pages given back.
     */
    long reclaim()
    {
        if (!reclaiming.compareAndSet(false, true))
        {
            return 0;
        }
        try
        {
            return moveChunks(false);
        }
        finally
        {
            reclaiming.set(false);
        }
    }
    /**
     * @return the segment of the slab holding a chunk (see {@link PageMemory#segment(int)}).
     */
    MemorySegment segment(final int chunk)
    {
        return memory.segment(chunk >>> 3);
    }

    /**
     * @return the byte offset of a chunk in {@link #segment(int)}.
     */
    long offset(final int chunk)
    {
        return memory.offset(chunk >>> 3) + ((long)(chunk & 7) << chunkShift);
    }

    /**
     * Moves chunks out of the sparsest pages into free chunks of the fullest until no page can be emptied that way,
     * then gives the spare page back: afterwards the pool holds {@code ceil(chunks in use / chunks per page)} pages.
     * Each move takes the owning class's lock, then this pool's.
     *
     * @return pages given back.
     */
    long consolidate()
    {
        final long freed = chunksPerPage == 1 ? 0 : moveChunks(true);
        return freed + releaseSpare();
    }

    /**
     * @param all true to move until no page can be emptied, false to stop at half of {@link #slackChunks()}.
     * @return pages given back.
     */
    private long moveChunks(final boolean all)
    {
        final long pagesBefore;
        synchronized (lock)
        {
            pagesBefore = pages.size();
        }
        long attempts = 0;
        while (attempts++ < 4 * chunksPerPage * pagesBefore + 16)
        {
            final ZsPage owner;
            final int position;
            synchronized (lock)
            {
                final PageChunks source = all || roomInPartialPages > slackChunks() / 2 ? sparsestMovable() : null;
                if (source == null)
                {
                    break;
                }
                int index = 0;
                while (source.owners[index] == null)
                {
                    index++;
                }
                owner = source.owners[index];
                position = source.positions[index];
            }
            owner.sizeClass.moveChunk(owner, position, this);
        }
        synchronized (lock)
        {
            return Math.max(0, pagesBefore - pages.size());
        }
    }

    /**
     * Moves one chunk to a fuller page, if it still lies in the sparsest page that can be emptied. Called by the
     * owning size class under its exclusive lock, which keeps readers of the chunk out (they retry).
     *
     * @return the chunk's new id, or the old one when it stays.
     */
    int moveIfSparse(final int chunk)
    {
        synchronized (lock)
        {
            final PageChunks source = pages.get(chunk >>> 3);
            if (source == null || source != sparsestMovable())
            {
                return chunk;
            }
            PageChunks target = null;
            for (int used = chunksPerPage - 1; used >= 1 && target == null; used--)
            {
                target = byUse[used] == source ? source.next : byUse[used];
            }
            if (target == null)
            {
                return chunk;
            }
            final int index = chunk & 7;
            unlink(target);
            int free = 0;
            while (target.owners[free] != null)
            {
                free++;
            }
            target.owners[free] = source.owners[index];
            target.positions[free] = source.positions[index];
            target.used++;
            link(target);
            final int moved = target.page << 3 | free;
            MemorySegment.copy(segment(chunk), offset(chunk), segment(moved), offset(moved), chunkSize);
            unlink(source);
            source.owners[index] = null;
            source.used--;
            chunksMoved++;
            if (source.used == 0)
            {
                pages.remove(source.page);
                memory.free(source.page);
            }
            else
            {
                link(source);
            }
            updateReclaimDue();
            return moved;
        }
    }

    /**
     * @return the non-full page with the fewest chunks in use, if the other non-full pages have room for all of them.
     */
    private PageChunks sparsestMovable()
    {
        PageChunks sparsest = null;
        for (int used = 1; used < chunksPerPage && sparsest == null; used++)
        {
            sparsest = byUse[used];
        }
        if (sparsest == null || roomInPartialPages - (chunksPerPage - sparsest.used) < sparsest.used)
        {
            return null;
        }
        return sparsest;
    }

    private long releaseSpare()
    {
        synchronized (lock)
        {
            final PageChunks spare = byUse[0];
            if (spare == null)
            {
                return 0;
            }
            unlink(spare);
            pages.remove(spare.page);
            memory.free(spare.page);
            return 1;
        }
    }

    /**
     * @return pages held from the page memory (including the spare).
     */
    long pagesHeld()
    {
        synchronized (lock)
        {
            return pages.size();
        }
    }

    /**
     * @return heap bytes of the per-page records (owner and position of each chunk, the page map), estimated from
     * their sizes with compressed references: what finding a chunk's owner for {@link #reclaim} costs.
     */
    long footprintBytes()
    {
        synchronized (lock)
        {
            final long record = 32 + 2 * (16 + 4L * chunksPerPage);
            return pages.size() * (record + 2 * (Integer.BYTES + Integer.BYTES));
        }
    }

    /**
     * @return chunks moved between pages so far, by {@link #reclaim} and {@link #consolidate}.
     */
    long chunksMoved()
    {
        synchronized (lock)
        {
            return chunksMoved;
        }
    }

    /**
     * Gives every page back (the allocator is closing).
     */
    void close()
    {
        synchronized (lock)
        {
            final List<Integer> all = new ArrayList<>(pages.keySet());
            for (final int page : all)
            {
                memory.free(page);
            }
            pages.clear();
            java.util.Arrays.fill(byUse, null);
            roomInPartialPages = 0;
            chunksHeld = 0;
        }
    }

    private void link(final PageChunks page)
    {
        if (page.used == chunksPerPage)
        {
            return;
        }
        if (page.used > 0)
        {
            roomInPartialPages += chunksPerPage - page.used;
        }
        page.prev = null;
        page.next = byUse[page.used];
        if (page.next != null)
        {
            page.next.prev = page;
        }
        byUse[page.used] = page;
    }

    private void unlink(final PageChunks page)
    {
        if (page.used == chunksPerPage)
        {
            return;
        }
        if (page.used > 0)
        {
            roomInPartialPages -= chunksPerPage - page.used;
        }
        if (page.prev != null)
        {
            page.prev.next = page.next;
        }
        else if (byUse[page.used] == page)
        {
            byUse[page.used] = page.next;
        }
        if (page.next != null)
        {
            page.next.prev = page.prev;
        }
        page.prev = null;
        page.next = null;
    }
}
