package org.tmem4j.zsmalloc;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * Every chunk records its owner (the zspage, by an id this pool gave it), so that {@link #reclaim} can move chunks
 * out of sparse pages into the free chunks of fuller ones and give the emptied pages back.
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
 * <b>Bookkeeping</b> is a few arrays indexed by page id (page ids are dense: the page memory hands out its lowest
 * pages first), no object per page: per chunk an {@code int} naming its owning zspage, per page a byte of taken
 * chunks and the two links of its list of pages with as many chunks in use. That is 9 bytes plus 4 per chunk per page
 * (41 bytes for eighth pages; a chunk's position in its zspage's run, which a move needs, is looked up in the zspage
 * then, not kept here), and 4 bytes per zspage for the table of registered zspages.
 * <p>
 * A chunk id is {@code page << 3 | chunk within page}. Thread-safe under one lock; callers that hold a size class's
 * lock take this one after it, never before.
 */
final class ChunkPool
{
    static final int NO_CHUNK = -1;
    private static final int MAX_PAGE_ID = (1 << 28) - 1;
    private static final int NONE = -1;

    final int chunkSize;
    final int chunkShift;
    final int chunksPerPage;
    private final PageMemory memory;
    private final Object lock = new Object();
    /** Per page id: a bit per chunk taken. */
    private byte[] taken = new byte[0];
    /** Per page id: the previous and next page in its list of {@link #byUse}, or {@link #NONE}. */
    private int[] prev = new int[0];
    private int[] next = new int[0];
    /**
     * Per chunk ({@code page × chunksPerPage + chunk}): 0 when free, else the owning zspage's {@link #register}ed id
     * + 1. Which position of the zspage's run the chunk is, a move looks up in the zspage (moves are rare; four bytes
     * a chunk are not).
     */
    private int[] owners = new int[0];
    /** The zspages of every class shard taking chunks here, by the id {@link #register} gave them. */
    private ZsPage[] registered = new ZsPage[0];
    private int[] freeIds = new int[0];
    private int freeIdCount;
    private int idsUsed;
    /** Pages by chunks in use: index 0 holds the spare empty page, index chunksPerPage the full pages (unlisted). */
    private final int[] byUse;
    /** Free chunks in pages that are neither full nor empty. */
    private long roomInPartialPages;
    private long chunksHeld;
    private long pagesHeld;
    private long chunksMoved;
    private long pagesGathered;
    private final AtomicBoolean reclaiming = new AtomicBoolean();
    private volatile boolean reclaimDue;
    /** Set when {@link #acquirePage} gave a page, whose group's old chunks leave free chunks in shared pages. */
    private volatile boolean packDue;

    ChunkPool(final PageMemory memory, final int chunkSize)
    {
        this.memory = memory;
        this.chunkSize = chunkSize;
        chunkShift = Integer.numberOfTrailingZeros(chunkSize);
        chunksPerPage = PageMemory.PAGE_SIZE / chunkSize;
        byUse = new int[chunksPerPage + 1];
        Arrays.fill(byUse, NONE);
    }

    /**
     * Takes a chunk for {@code owner} (which records at which position of its run).
     *
     * @return the chunk id, or {@link #NO_CHUNK} when no chunk is free and the page memory has no page.
     */
    int acquire(final ZsPage owner)
    {
        synchronized (lock)
        {
            int target = NONE;
            for (int used = chunksPerPage - 1; used >= 0 && target == NONE; used--)
            {
                target = byUse[used];
            }
            if (target == NONE)
            {
                target = newPage();
                if (target == NONE)
                {
                    return NO_CHUNK;
                }
            }
            else
            {
                unlink(target);
            }
            final int index = Integer.numberOfTrailingZeros(~taken[target]);
            taken[target] |= (byte)(1 << index);
            owners[target * chunksPerPage + index] = owner.poolId + 1;
            chunksHeld++;
            link(target);
            updateReclaimDue();
            return target << 3 | index;
        }
    }

    /**
     * Takes a whole empty page (the spare, else a new one) for a page's worth of positions of {@code owner}'s run
     * (which it records), so that a zspage can lay them in a row of memory
     * ({@link SizeClass}'s page gathering). Never takes a partly used page's free chunks: those stay for the chunks
     * taken one at a time.
     * <p>
     * The caller gives the group's old chunks back after the copy, which leaves them free in shared pages until
     * chunks taken one at a time fill them again; so that a fill does not end with many such pages held, no page is
     * given while the free chunks in partly used pages exceed one page's worth (the group then stays where it is
     * until a later slot retries it), unless {@code anyway} (compaction, which {@link #consolidate} follows).
     *
     * @return the id of the page's first chunk, or {@link #NO_CHUNK} when the page memory has no page or free chunks
     * in shared pages are too many.
     */
    int acquirePage(final ZsPage owner, final boolean anyway)
    {
        synchronized (lock)
        {
            if (!anyway && roomInPartialPages > chunksPerPage)
            {
                return NO_CHUNK;
            }
            int page = byUse[0];
            if (page != NONE)
            {
                unlink(page);
            }
            else
            {
                page = newPage();
                if (page == NONE)
                {
                    return NO_CHUNK;
                }
            }
            taken[page] = (byte)((1 << chunksPerPage) - 1);
            for (int index = 0; index < chunksPerPage; index++)
            {
                owners[page * chunksPerPage + index] = owner.poolId + 1;
            }
            chunksHeld += chunksPerPage;
            pagesGathered++;
            packDue = true;
            updateReclaimDue();
            return page << 3;
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
            final int page = chunk >>> 3;
            unlink(page);
            taken[page] &= (byte)~(1 << (chunk & 7));
            owners[page * chunksPerPage + (chunk & 7)] = 0;
            chunksHeld--;
            if (taken[page] == 0 && byUse[0] != NONE)
            {
                givePage(page);
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
            return moveChunks(false, false);
        }
        finally
        {
            reclaiming.set(false);
        }
    }

    /**
     * @return whether a page was gathered ({@link #acquirePage}) since the last {@link #pack}: the allocating thread
     * should then pack, once it holds no class lock. Read without the lock.
     */
    boolean packDue()
    {
        return packDue;
    }

    /**
     * Moves chunks out of the sparsest pages into the free chunks a page gathering left in shared pages, until no
     * page can be emptied that way, so that gathering costs no density: without it a fill ended holding up to two
     * pages of such free chunks (pgbench's fill density 0.9862 against 0.9865). A page gathered every page's worth
     * stored leaves one page's worth of free chunks, so each pack moves a few chunks (a 512-byte copy each). At most
     * one thread packs or reclaims at a time; another caller returns at once. The caller must hold no class lock.
     *
     * @return pages given back.
     */
    long pack()
    {
        if (!reclaiming.compareAndSet(false, true))
        {
            return 0;
        }
        try
        {
            packDue = false;
            return moveChunks(true, false);
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
     * @return whether chunk {@code b} starts where chunk {@code a} ends, in the same slab ({@code b} may be
     * {@link #NO_CHUNK}: then not).
     */
    boolean followsInMemory(final int a, final int b)
    {
        if (b < 0)
        {
            return false;
        }
        // ids alone: a get asks this for every chunk edge an object crosses, and looking the slabs up cost more
        return (a & 7) + 1 < chunksPerPage ? b == a + 1 : (b & 7) == 0 && memory.follows(a >>> 3, b >>> 3);
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
        final long freed = chunksPerPage == 1 ? 0 : moveChunks(true, true);
        return freed + releaseSpare();
    }

    /**
     * @param all     true to move until no page can be emptied, false to stop at half of {@link #slackChunks()}.
     * @param mayWait whether a move waits for readers still in pool memory; if not, the first move that finds one
     *                stops the run and leaves {@link #packDue()} raised, so that an allocation soon tries again.
     * @return pages given back.
     */
    private long moveChunks(final boolean all, final boolean mayWait)
    {
        final long pagesBefore;
        synchronized (lock)
        {
            pagesBefore = pagesHeld;
        }
        long attempts = 0;
        while (attempts++ < 4 * chunksPerPage * pagesBefore + 16)
        {
            final ZsPage owner;
            final int chunk;
            synchronized (lock)
            {
                final int source = all || roomInPartialPages > slackChunks() / 2 ? sparsestMovable() : NONE;
                if (source == NONE)
                {
                    break;
                }
                final int index = Integer.numberOfTrailingZeros(taken[source]);
                chunk = source << 3 | index;
                owner = registered[owners[source * chunksPerPage + index] - 1];
            }
            if (!owner.sizeClass.moveChunk(owner, chunk, this, mayWait))
            {
                packDue = true;
                break;
            }
        }
        synchronized (lock)
        {
            return Math.max(0, pagesBefore - pagesHeld);
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
            final int source = chunk >>> 3;
            if (source != sparsestMovable())
            {
                return chunk;
            }
            int target = NONE;
            for (int used = chunksPerPage - 1; used >= 1 && target == NONE; used--)
            {
                target = byUse[used] == source ? next[source] : byUse[used];
            }
            if (target == NONE)
            {
                return chunk;
            }
            final int index = chunk & 7;
            unlink(target);
            final int free = Integer.numberOfTrailingZeros(~taken[target]);
            taken[target] |= (byte)(1 << free);
            owners[target * chunksPerPage + free] = owners[source * chunksPerPage + index];
            link(target);
            final int moved = target << 3 | free;
            MemorySegment.copy(segment(chunk), offset(chunk), segment(moved), offset(moved), chunkSize);
            unlink(source);
            taken[source] &= (byte)~(1 << index);
            owners[source * chunksPerPage + index] = 0;
            chunksMoved++;
            if (taken[source] == 0)
            {
                givePage(source);
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
     * @return the non-full page with the fewest chunks in use, if the other non-full pages have room for all of them;
     * else {@link #NONE}.
     */
    private int sparsestMovable()
    {
        for (int used = 1; used < chunksPerPage; used++)
        {
            if (byUse[used] != NONE)
            {
                return roomInPartialPages - (chunksPerPage - used) < used ? NONE : byUse[used];
            }
        }
        return NONE;
    }

    private long releaseSpare()
    {
        synchronized (lock)
        {
            final int spare = byUse[0];
            if (spare == NONE)
            {
                return 0;
            }
            unlink(spare);
            givePage(spare);
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
            return pagesHeld;
        }
    }

    /**
     * @return heap bytes of the per-page arrays (taken chunks, list links, an owner per chunk), as allocated: what
     * finding a chunk's owner for {@link #reclaim} costs.
     */
    long footprintBytes()
    {
        synchronized (lock)
        {
            return (long)taken.length * (Byte.BYTES + 2 * Integer.BYTES) + (long)owners.length * Integer.BYTES +
                (long)(registered.length + freeIds.length) * Integer.BYTES;
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
     * @return pages taken whole by {@link #acquirePage} so far.
     */
    long pagesGathered()
    {
        synchronized (lock)
        {
            return pagesGathered;
        }
    }

    /**
     * Gives every page back (the allocator is closing).
     */
    void close()
    {
        synchronized (lock)
        {
            for (int page = 0; page < taken.length; page++)
            {
                if (taken[page] != 0 || page == byUse[0])
                {
                    memory.free(page);
                }
            }
            Arrays.fill(taken, (byte)0);
            Arrays.fill(owners, 0);
            Arrays.fill(registered, null);
            freeIdCount = 0;
            idsUsed = 0;
            Arrays.fill(byUse, NONE);
            roomInPartialPages = 0;
            chunksHeld = 0;
            pagesHeld = 0;
        }
    }

    /**
     * Gives a new zspage of a class shard taking chunks here the id its chunks' owner entries name it by.
     *
     * @return the id (also kept in {@link ZsPage#poolId} by the caller).
     */
    int register(final ZsPage zspage)
    {
        synchronized (lock)
        {
            final int id;
            if (freeIdCount > 0)
            {
                id = freeIds[--freeIdCount];
            }
            else
            {
                id = idsUsed++;
                if (id == registered.length)
                {
                    registered = Arrays.copyOf(registered, Math.max(16, id * 2));
                }
            }
            registered[id] = zspage;
            return id;
        }
    }

    /**
     * Forgets a zspage that holds no chunk any more (disposed of by its class), so its id can name another.
     */
    void unregister(final ZsPage zspage)
    {
        synchronized (lock)
        {
            registered[zspage.poolId] = null;
            if (freeIdCount == freeIds.length)
            {
                freeIds = Arrays.copyOf(freeIds, Math.max(16, freeIdCount * 2));
            }
            freeIds[freeIdCount++] = zspage.poolId;
        }
    }

    /**
     * Takes a page from the page memory (under the lock), unlisted.
     *
     * @return its id, or {@link #NONE} when the page memory has none or its id is past what a chunk id can name.
     */
    private int newPage()
    {
        final int page = memory.allocate();
        if (page == PageMemory.NO_PAGE)
        {
            return NONE;
        }
        if (page > MAX_PAGE_ID)
        {
            memory.free(page);
            return NONE;
        }
        ensureCapacity(page);
        pagesHeld++;
        return page;
    }

    private void givePage(final int page)
    {
        pagesHeld--;
        memory.free(page);
    }

    private void ensureCapacity(final int page)
    {
        if (page < taken.length)
        {
            return;
        }
        // grown by half: the arrays are most of the pool's bookkeeping, and doubling would leave up to half unused
        final int length = (int)Math.min(MAX_PAGE_ID + 1L, Math.max(page + 1L, Math.max(64L, taken.length * 3L / 2)));
        taken = Arrays.copyOf(taken, length);
        prev = Arrays.copyOf(prev, length);
        next = Arrays.copyOf(next, length);
        owners = Arrays.copyOf(owners, length * chunksPerPage);
    }

    private int used(final int page)
    {
        return Integer.bitCount(taken[page] & 0xFF);
    }

    private void link(final int page)
    {
        final int used = used(page);
        if (used == chunksPerPage)
        {
            return;
        }
        if (used > 0)
        {
            roomInPartialPages += chunksPerPage - used;
        }
        prev[page] = NONE;
        next[page] = byUse[used];
        if (next[page] != NONE)
        {
            prev[next[page]] = page;
        }
        byUse[used] = page;
    }

    private void unlink(final int page)
    {
        final int used = used(page);
        if (used == chunksPerPage)
        {
            return;
        }
        if (used > 0)
        {
            roomInPartialPages -= chunksPerPage - used;
        }
        if (prev[page] != NONE)
        {
            next[prev[page]] = next[page];
        }
        else if (byUse[used] == page)
        {
            byUse[used] = next[page];
        }
        if (next[page] != NONE)
        {
            prev[next[page]] = prev[page];
        }
        prev[page] = NONE;
        next[page] = NONE;
    }
}
