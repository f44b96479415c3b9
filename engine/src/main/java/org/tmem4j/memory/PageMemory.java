package org.tmem4j.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;

import org.tmem4j.concurrent.CurrentCpu;

/**
 * Off-heap 4 KiB pages under a hard byte budget: the memory every allocator of tmem4j packs its objects into.
 * <p>
 * <b>Design.</b> Pages are carved out of <i>slabs</i>, large runs of memory mapped from the operating system in
 * one call (an anonymous {@code mmap}, 2 MiB aligned and advised {@code MADV_HUGEPAGE} when asked; elsewhere
 * {@link Arena#allocate}). Each slab lives in its own shared {@link Arena}, so a slab whose pages are all free can
 * be given back on its own: closing the arena unmaps it, and any stale access to it raises
 * {@link IllegalStateException} instead of touching unmapped memory. Arena closes are expensive (a handshake with
 * every thread) but happen once per slab, never per page.
 * <pre>
 *   page id (int):  | slab index (31 - s bits) | page within slab (s bits) |     s = log2(pages per slab)
 *
 *   slabs[]  --> Slab 0 [p0|p1|p2| ... |p511]   free stack: 7, 3, ...  in-use bitmap
 *                Slab 1 [p0|p1| ...         ]
 *                null      (released to the OS, index reusable)
 * </pre>
 * A page is taken from the lowest-numbered slab that has a free page, so live pages gather in the low slabs and a
 * shrinking workload drains the high ones, which then go back to the OS. {@code retainedEmptySlabs} empty slabs
 * are kept as a spare to avoid map/unmap ping-pong at a slab boundary.
 * <p>
 * <b>Budget.</b> {@code reservedBytes}, the bytes mapped from the OS, never exceeds the budget: the last slab is
 * cut short to fit, and when no page is free and the budget is spent, {@link #allocate()} answers
 * {@link #NO_PAGE}. The budget may be lowered at run time; memory already mapped stays until it is freed.
 * <p>
 * <b>Per-CPU caches.</b> Like the kernel's per-CPU page lists, each CPU (see {@link CurrentCpu}) keeps a small
 * stack of free pages under a lock of its own: {@link #allocate()} and {@link #free(int)} take a page from and give
 * it to the current CPU's cache, and only an empty or full cache moves a batch of half its capacity to or from the
 * slabs under the global lock. Threads on different CPUs therefore share no lock and no written cache line on the
 * common path, and the global lock is taken once per batch. The caches are padded apart ({@link PageCache}). A cache's
 * lock is only ever tried on these paths: a thread finding it held (its holder lost its CPU in the
 * middle of a few instructions, or the thread moved to that CPU meanwhile) takes the next CPU's cache instead, and
 * with every cache held goes to the slabs, so no thread ever queues behind a preempted one. Cached pages stay
 * mapped: at most
 * {@code cpuCachePages} per CPU (128 KiB each at the default 32); an allocation that finds the slabs and the budget
 * exhausted first drains every cache, so no page a cache holds is ever refused to anyone. With
 * {@code cpuCachePages(0)} every page goes straight to and from the slabs, which keeps the lowest-slab-first policy
 * exact.
 * <p>
 * <b>Pre-touch.</b> A first write to freshly mapped memory costs a fault in which the kernel finds and zeroes a page
 * (2 MiB under {@code MADV_HUGEPAGE}), several times what writing the same bytes again costs, and more in a virtual
 * machine whose host takes freed memory back; a store that grows the memory pays it on its own path. With
 * {@link Builder#preTouch(boolean)}, as the JVM's {@code -XX:+AlwaysPreTouch} does for its heap, the whole budget is
 * mapped and written once when the page memory is built (and a raised budget's new room when it is raised), and empty
 * slabs stay mapped while they are within the budget: no allocation faults, at the price of holding the budget in
 * RAM from the start. Lowering the budget gives empty slabs back as without pre-touch; if it was lowered below what
 * was in use, the room later freed under it is mapped (and written) by the allocation that first needs it.
 * <p>
 * <b>Threads.</b> All methods are thread-safe; {@link #segment(int)}, {@link #offset(int)} and {@link #follows} take no
 * lock.
 * <p>
 * <b>Double frees: the free mark.</b> Each slab has a bitmap of the pages out of it (cached or with a user), written
 * under the global lock a batch at a time. Whether an out page is with a user or free in a cache is written in the
 * page itself: its first 8 bytes hold this page memory's <i>free mark</i>, a random 64-bit word, from the moment it is
 * freed into a cache until it is handed out again, when they are zeroed. A free sets the mark with one atomic
 * exchange and fails if it was set already, so of two frees of one page, even at the same time, exactly one
 * succeeds. The mark used to be an in-use bit per page in a shared bitmap, sixteen pages to a line; but a page freed
 * on another CPU than it was taken on (a thread that moved, or the allocator's usual traffic) ends up at the top of
 * that CPU's cache, the two CPUs' next pages then had their bits on one line, and every take and give moved that line
 * between the cores: the JMH forks of two threads ran at twice the rate of one or at the rate of one, by where such
 * a move left the caches. A page's first line is its own, so no two pages' marks ever share a line. A user's page
 * that happened to start with the mark would be refused as a double free: the mark is drawn at random per page
 * memory and never handed to users, so that takes a 1 in 2<sup>64</sup> guess or a read of a freed page.
 * <p>
 * Page contents are not kept between uses: the first 8 bytes of a page handed out are zero, the rest is whatever
 * the page held before.
 */
public final class PageMemory implements AutoCloseable
{
    /** Size of one page in bytes. */
    public static final int PAGE_SIZE = 4096;
    /** log2 of {@link #PAGE_SIZE}. */
    public static final int PAGE_SHIFT = 12;
    /** Answer of {@link #allocate()} when the budget leaves no page. */
    public static final int NO_PAGE = -1;

    /** Default slab size: one huge page. */
    public static final long DEFAULT_SLAB_BYTES = 2L << 20;
    /** Default capacity of each CPU's cache of free pages. */
    public static final int DEFAULT_CPU_CACHE_PAGES = 32;

    private static final int MAX_CACHES = 256;
    /** The page's first 8 bytes: the free mark while the page is cached, zero once it is handed out. */
    private static final VarHandle MARK = ValueLayout.JAVA_LONG.varHandle();

    private final int slabShift;
    private final int slabPageMask;
    private final long slabBytes;
    private final boolean hugePages;
    private final int retainedEmptySlabs;
    private final boolean preTouch;
    private final boolean mapped;
    private final PageCache[] caches;
    private final int cacheMask;
    private final int cacheBatch;
    private final long freeMark = ThreadLocalRandom.current().nextLong() | 1L;

    private final Object lock = new Object();
    private volatile Slab[] slabs = new Slab[8];
    private final BitSet slabsWithFreePages = new BitSet();
    private volatile boolean closed;
    private long budgetBytes;
    private long pagesInUse;
    private long highWaterPages;
    private int slabCount;
    private int emptySlabs;
    private long reservedBytes;
    private long highWaterReservedBytes;
    private long slabsReleased;
    private long failedAllocations;

    private PageMemory(final Builder builder)
    {
        this.slabBytes = builder.slabBytes;
        this.slabShift = Long.numberOfTrailingZeros(slabBytes) - PAGE_SHIFT;
        this.slabPageMask = (1 << slabShift) - 1;
        this.hugePages = builder.hugePages;
        this.preTouch = builder.preTouch;
        // pre-touched slabs are kept: mapping them again would fault them again
        this.retainedEmptySlabs = preTouch ? Integer.MAX_VALUE : builder.retainedEmptySlabs;
        this.budgetBytes = builder.budgetBytes;
        this.mapped = builder.mmap && AnonymousMapping.isAvailable();
        this.cacheBatch = builder.cpuCachePages / 2;
        final int cacheCount = builder.cpuCachePages == 0 ? 0 :
            Math.min(MAX_CACHES, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 2 - 1));
        this.caches = new PageCache[cacheCount];
        for (int i = 0; i < cacheCount; i++)
        {
            caches[i] = new PageCache(builder.cpuCachePages);
        }
        this.cacheMask = cacheCount - 1;
    }

    /**
     * {@return page memory with default settings and the given budget}
     *
     * @param budgetBytes the hard limit on memory mapped from the operating system, in bytes.
     */
    public static PageMemory withBudget(final long budgetBytes)
    {
        return builder().budgetBytes(budgetBytes).build();
    }

    /**
     * {@return a builder for page memory}
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Takes one page.
     *
     * @return the page's id, or {@link #NO_PAGE} when no page is free and the budget allows no new slab.
     * @throws IllegalStateException after {@link #close()}.
     */
    public int allocate()
    {
        if (caches.length == 0)
        {
            return allocateFromSlabs();
        }
        final int home = CurrentCpu.stripe();
        for (int i = 0; i <= cacheMask; i++)
        {
            // a cache whose holder was preempted is skipped, not waited for: a user-space thread can lose its CPU in
            // the middle of a few instructions, and a thread that then runs on that CPU would queue behind it
            final PageCache cache = caches[(home + i) & cacheMask];
            if (!cache.tryLock())
            {
                continue;
            }
            try
            {
                ensureOpen();
                if (cache.isEmpty())
                {
                    refill(cache);
                }
                if (!cache.isEmpty())
                {
                    final int page = cache.pop();
                    clearMark(slabOrNull(page), page);
                    return page;
                }
            }
            finally
            {
                cache.unlock();
            }
            // the slabs and the budget are spent: pages other CPUs cache are the last ones left
            drainCaches();
            return allocateFromSlabs();
        }
        // every cache is held by a thread that lost its CPU: the slabs serve
        return allocateFromSlabs();
    }

    /**
     * Gives a page back. A slab left with no page in use goes back to the operating system, except for
     * {@code retainedEmptySlabs} spares (with pre-touch: except while it is within the budget).
     *
     * @param page a page id returned by {@link #allocate()} and not freed since.
     * @throws IllegalArgumentException if the page is not currently allocated (a double free or a forged id).
     * @throws IllegalStateException    after {@link #close()}.
     */
    public void free(final int page)
    {
        final Slab slab = slabOrNull(page);
        if (slab == null || !slab.isOut(page & slabPageMask))
        {
            throw notAllocated(page);
        }
        if (caches.length == 0)
        {
            synchronized (lock)
            {
                ensureOpen();
                if (!slab.isOut(page & slabPageMask))
                {
                    throw notAllocated(page);
                }
                giveToSlab(page);
            }
            return;
        }
        ensureOpen();
        if (!setMark(slab, page))
        {
            throw notAllocated(page);
        }
        final int home = CurrentCpu.stripe();
        for (int i = 0; i <= cacheMask; i++)
        {
            final PageCache cache = caches[(home + i) & cacheMask];
            if (cache.tryLock())
            {
                try
                {
                    ensureOpen();
                    if (cache.isFull())
                    {
                        spill(cache, cacheBatch);
                    }
                    cache.push(page);
                    return;
                }
                finally
                {
                    cache.unlock();
                }
            }
        }
        // every cache is held by a thread that lost its CPU: the slabs take the page
        synchronized (lock)
        {
            ensureOpen();
            giveToSlab(page);
        }
    }

    /**
     * {@return the segment of the slab holding the page; the page starts at {@link #offset(int)} in it. The object
     * is shared and long-lived, so using it allocates nothing}
     *
     * @param page an allocated page id.
     * @throws IllegalStateException if the page's slab is gone (the page was freed) or the memory is closed.
     */
    public MemorySegment segment(final int page)
    {
        final Slab slab = slabOrNull(page);
        if (slab == null)
        {
            ensureOpen();
            throw new IllegalStateException("page " + page + " is not allocated");
        }
        return slab.segment;
    }

    /**
     * {@return whether page {@code next} starts in memory where page {@code page} ends: the next id in the same slab}
     * Answered from the ids alone, without a look at the slabs.
     *
     * @param page a page id.
     * @param next another page id.
     */
    public boolean follows(final int page, final int next)
    {
        return next == page + 1 && page >>> slabShift == next >>> slabShift;
    }

    /**
     * {@return the byte offset of the page in {@link #segment(int)}}
     *
     * @param page a page id.
     */
    public long offset(final int page)
    {
        return (long)(page & slabPageMask) << PAGE_SHIFT;
    }

    /**
     * {@return a {@link #PAGE_SIZE} slice over the page (allocates a segment object; prefer
     * {@link #segment(int)} + {@link #offset(int)} on hot paths)}
     *
     * @param page an allocated page id.
     */
    public MemorySegment page(final int page)
    {
        return segment(page).asSlice(offset(page), PAGE_SIZE);
    }

    /**
     * {@return whether the page is currently allocated}
     *
     * @param page a page id.
     */
    public boolean isAllocated(final int page)
    {
        final Slab slab = slabOrNull(page);
        if (slab == null || !slab.isOut(page & slabPageMask))
        {
            return false;
        }
        if (caches.length == 0)
        {
            return true;
        }
        try
        {
            return (long)MARK.getVolatile(slab.segment, offset(page)) != freeMark;
        }
        catch (final IllegalStateException ex)
        {
            // the slab went back to the operating system meanwhile: none of its pages is allocated
            return false;
        }
    }

    /**
     * {@return the hard limit on bytes mapped from the operating system}
     */
    public long budgetBytes()
    {
        synchronized (lock)
        {
            return budgetBytes;
        }
    }

    /**
     * Changes the budget at run time. Lowering it below what is mapped gives empty slabs back and maps nothing more
     * until enough is freed; nothing already handed out is taken back. With pre-touch, raising it maps and touches
     * the new room before it returns.
     *
     * @param budgetBytes the new limit, ≥ 0.
     */
    public void budgetBytes(final long budgetBytes)
    {
        Builder.checkBudget(budgetBytes);
        // cached pages keep their slabs mapped: give them back first, so that empty slabs can go
        drainCaches();
        synchronized (lock)
        {
            ensureOpen();
            this.budgetBytes = budgetBytes;
            for (int i = slabsWithFreePages.nextSetBit(0); i >= 0 && reservedBytes > budgetBytes;
                i = slabsWithFreePages.nextSetBit(i + 1))
            {
                final Slab slab = slabs[i];
                if (slab.usedPages() == 0)
                {
                    releaseSlab(slab);
                }
            }
            if (preTouch)
            {
                mapBudget();
            }
        }
    }

    /**
     * {@return pages the budget still allows: free pages in mapped slabs plus pages not yet mapped}
     */
    public long availablePages()
    {
        synchronized (lock)
        {
            final long mappedPages = reservedBytes >>> PAGE_SHIFT;
            return Math.max(0, (budgetBytes - reservedBytes) >>> PAGE_SHIFT) + (mappedPages - pagesInUse) +
                cachedPages();
        }
    }

    /**
     * {@return a consistent snapshot of the accounting}
     */
    public PageMemoryStats stats()
    {
        synchronized (lock)
        {
            return new PageMemoryStats(pagesInUse - cachedPages(), highWaterPages, slabCount, reservedBytes,
                highWaterReservedBytes, budgetBytes, slabsReleased, failedAllocations);
        }
    }

    /**
     * {@return whether slabs come from anonymous {@code mmap} (else from {@link Arena#allocate})}
     */
    public boolean isMapped()
    {
        return mapped;
    }

    /**
     * {@return whether {@link #close()} has been called}
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Returns every slab to the operating system. Afterwards every method throws {@link IllegalStateException},
     * and so does any access through a segment obtained before.
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
            final Slab[] all = slabs;
            for (final Slab slab : all)
            {
                if (slab != null)
                {
                    slab.arena.close();
                }
            }
            slabs = new Slab[0];
            slabsWithFreePages.clear();
            for (final PageCache cache : caches)
            {
                cache.clear();
            }
            slabCount = 0;
            emptySlabs = 0;
            reservedBytes = 0;
            pagesInUse = 0;
        }
    }

    @Override
    public String toString()
    {
        return "PageMemory" + stats();
    }

    /**
     * Takes a page straight from the slabs, mapping a new slab if the budget allows.
     */
    private int allocateFromSlabs()
    {
        synchronized (lock)
        {
            ensureOpen();
            final int page = takeFromSlab(0L);
            if (page == NO_PAGE)
            {
                failedAllocations++;
            }
            return page;
        }
    }

    /** Moves up to a batch of pages from the slabs into an empty cache whose lock the caller holds. */
    private void refill(final PageCache cache)
    {
        synchronized (lock)
        {
            ensureOpen();
            while (cache.count() < cacheBatch)
            {
                final int page = takeFromSlab(freeMark);
                if (page == NO_PAGE)
                {
                    break;
                }
                cache.push(page);
            }
        }
    }

    /** Moves {@code pages} pages from a cache whose lock the caller holds back to the slabs. */
    private void spill(final PageCache cache, final int pages)
    {
        synchronized (lock)
        {
            for (int i = 0; i < pages && !cache.isEmpty(); i++)
            {
                giveToSlab(cache.pop());
            }
        }
    }

    /** Gives every cached page back to the slabs. */
    private void drainCaches()
    {
        for (final PageCache cache : caches)
        {
            cache.lock();
            try
            {
                if (!cache.isEmpty() && !closed)
                {
                    spill(cache, cache.count());
                }
            }
            finally
            {
                cache.unlock();
            }
        }
    }

    /** Pages cached per CPU (read without their locks: exact when no cache is changing). */
    private long cachedPages()
    {
        long cached = 0;
        for (final PageCache cache : caches)
        {
            cached += cache.count();
        }
        return cached;
    }

    /**
     * Takes a free page of the lowest slab that has one, under the global lock, and marks it out of its slab.
     * <p>
     * Its first 8 bytes are written before it is marked out, because a free checks the out bit without the lock: a
     * page on its way to a cache must already carry the free mark when the bit shows it out, or a stale free of its
     * id (a fresh page's mark is 0) would find it unmarked, take it, and leave it in two caches at once.
     *
     * @param firstWord {@link #freeMark} for a page going to a cache, 0 for a page going to a user.
     * @return the page, or {@link #NO_PAGE}.
     */
    private int takeFromSlab(final long firstWord)
    {
        int slabIndex = slabsWithFreePages.nextSetBit(0);
        if (slabIndex < 0)
        {
            slabIndex = mapSlab();
            if (slabIndex < 0)
            {
                return NO_PAGE;
            }
        }
        final Slab slab = slabs[slabIndex];
        if (slab.usedPages() == 0)
        {
            emptySlabs--;
        }
        final int page = (slabIndex << slabShift) | slab.nextFree();
        MARK.setRelease(slab.segment, offset(page), firstWord);
        slab.take();
        if (!slab.hasFreePage())
        {
            slabsWithFreePages.clear(slabIndex);
        }
        if (++pagesInUse > highWaterPages)
        {
            highWaterPages = pagesInUse;
        }
        return page;
    }

    /** Puts a page that is out of its slab back in, under the global lock, releasing the slab if it empties. */
    private void giveToSlab(final int page)
    {
        final Slab slab = slabOrNull(page);
        slab.give(page & slabPageMask);
        pagesInUse--;
        slabsWithFreePages.set(slab.index);
        if (slab.usedPages() == 0 && (++emptySlabs > retainedEmptySlabs || reservedBytes > budgetBytes))
        {
            releaseSlab(slab);
        }
    }

    /**
     * Marks a page free in a cache, unless it is marked already.
     *
     * @return false if the page was cached already, or its slab went back to the operating system meanwhile (the
     *         page was freed, spilled and its slab emptied by other threads since this free looked the slab up):
     *         either way a double free.
     */
    private boolean setMark(final Slab slab, final int page)
    {
        try
        {
            // one exchange: a page marked already keeps its mark, so a second free changes nothing it reports
            return (long)MARK.getAndSet(slab.segment, offset(page), freeMark) != freeMark;
        }
        catch (final IllegalStateException ex)
        {
            return false;
        }
    }

    /** Zeroes the first 8 bytes of a page about to be handed out, its free mark among them. */
    private void clearMark(final Slab slab, final int page)
    {
        MARK.setRelease(slab.segment, offset(page), 0L);
    }

    private IllegalArgumentException notAllocated(final int page)
    {
        ensureOpen();
        return new IllegalArgumentException("page " + page + " is not allocated (double free or forged id)");
    }

    private Slab slabOrNull(final int page)
    {
        final Slab[] all = slabs;
        final int index = page >>> slabShift;
        return page >= 0 && index < all.length ? all[index] : null;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("page memory is closed");
        }
    }

    /** Maps and touches slabs until the budget is mapped (or the operating system refuses a slab); under the lock. */
    private void mapBudget()
    {
        while (mapSlab() >= 0)
        {
            // each slab is touched as it is mapped
        }
    }

    /**
     * Maps a slab, touched when pre-touch is on; under the lock.
     *
     * @return its index, or -1 if the budget leaves no room or the operating system refused it.
     */
    private int mapSlab()
    {
        final long room = (budgetBytes - reservedBytes) & -PAGE_SIZE;
        final long bytes = Math.min(slabBytes, room);
        if (bytes <= 0)
        {
            return -1;
        }
        int index = 0;
        Slab[] all = slabs;
        while (index < all.length && all[index] != null)
        {
            index++;
        }
        if (index == all.length)
        {
            if ((long)all.length << slabShift > Integer.MAX_VALUE)
            {
                return -1;
            }
            final Slab[] grown = new Slab[all.length * 2];
            System.arraycopy(all, 0, grown, 0, all.length);
            all = grown;
        }
        final Arena arena = Arena.ofShared();
        MemorySegment segment = null;
        if (mapped)
        {
            segment = AnonymousMapping.map(arena, bytes, AnonymousMapping.HUGE_PAGE_SIZE, hugePages);
        }
        if (segment == null)
        {
            try
            {
                segment = arena.allocate(bytes, PAGE_SIZE);
            }
            catch (final OutOfMemoryError ex)
            {
                arena.close();
                return -1;
            }
        }
        if (preTouch)
        {
            // one write per page: the fault maps and zeroes it (a whole huge page at once where one backs it)
            for (long at = 0; at < bytes; at += PAGE_SIZE)
            {
                segment.set(ValueLayout.JAVA_BYTE, at, (byte)0);
            }
        }
        all[index] = new Slab(index, arena, segment, (int)(bytes >>> PAGE_SHIFT));
        slabs = all;
        slabCount++;
        emptySlabs++;
        reservedBytes += bytes;
        highWaterReservedBytes = Math.max(highWaterReservedBytes, reservedBytes);
        slabsWithFreePages.set(index);
        return index;
    }

    private void releaseSlab(final Slab slab)
    {
        final Slab[] all = slabs.clone();
        all[slab.index] = null;
        slabs = all;
        slabsWithFreePages.clear(slab.index);
        slabCount--;
        emptySlabs--;
        reservedBytes -= slab.segment.byteSize();
        slabsReleased++;
        slab.arena.close();
    }

    /**
     * Settings of a {@link PageMemory}.
     */
    public static final class Builder
    {
        private long budgetBytes = 256L << 20;
        private long slabBytes = DEFAULT_SLAB_BYTES;
        private boolean hugePages = true;
        private boolean mmap = true;
        private int retainedEmptySlabs = 1;
        private boolean preTouch;
        private int cpuCachePages = DEFAULT_CPU_CACHE_PAGES;

        private Builder()
        {
        }

        /**
         * {@return this}
         *
         * @param budgetBytes hard limit on bytes mapped from the OS; default 256 MiB.
         */
        public Builder budgetBytes(final long budgetBytes)
        {
            checkBudget(budgetBytes);
            this.budgetBytes = budgetBytes;
            return this;
        }

        /**
         * {@return this}
         *
         * @param slabBytes bytes per slab: a power of two from 64 KiB to 1 GiB; default 2 MiB.
         */
        public Builder slabBytes(final long slabBytes)
        {
            if (slabBytes < (64 << 10) || slabBytes > (1L << 30) || Long.bitCount(slabBytes) != 1)
            {
                throw new IllegalArgumentException(
                    "slabBytes must be a power of two from 65536 to 1073741824, was " + slabBytes);
            }
            this.slabBytes = slabBytes;
            return this;
        }

        /**
         * {@return this}
         *
         * @param hugePages whether to advise slabs {@code MADV_HUGEPAGE}; default true.
         */
        public Builder hugePages(final boolean hugePages)
        {
            this.hugePages = hugePages;
            return this;
        }

        /**
         * {@return this}
         *
         * @param mmap whether to map slabs with anonymous {@code mmap} (Linux) rather than {@link Arena#allocate};
         *             default true.
         */
        public Builder mmap(final boolean mmap)
        {
            this.mmap = mmap;
            return this;
        }

        /**
         * {@return this}
         *
         * @param retainedEmptySlabs empty slabs kept mapped as spares instead of being returned at once; default 1.
         */
        public Builder retainedEmptySlabs(final int retainedEmptySlabs)
        {
            if (retainedEmptySlabs < 0)
            {
                throw new IllegalArgumentException("retainedEmptySlabs must be >= 0, was " + retainedEmptySlabs);
            }
            this.retainedEmptySlabs = retainedEmptySlabs;
            return this;
        }

        /**
         * {@return this}
         *
         * @param cpuCachePages free pages each CPU may cache, an even number from 0 to 1024; default
         *                      {@value PageMemory#DEFAULT_CPU_CACHE_PAGES}. Caches move pages to and from the slabs in
         *                      batches of half this; 0 turns them off (one global lock per page).
         */
        public Builder cpuCachePages(final int cpuCachePages)
        {
            if (cpuCachePages < 0 || cpuCachePages > 1024 || (cpuCachePages & 1) != 0)
            {
                throw new IllegalArgumentException("cpuCachePages must be an even number from 0 to 1024, was " +
                    cpuCachePages);
            }
            this.cpuCachePages = cpuCachePages;
            return this;
        }

        /**
         * {@return this}
         *
         * @param preTouch whether to map and write the whole budget when the page memory is built, and keep empty
         *                 slabs mapped while they are within the budget, so that no allocation faults memory in (as
         *                 {@code -XX:+AlwaysPreTouch} does for the heap); the budget is then held in RAM from the
         *                 start, so it must fit there. Default false: slabs are mapped as pages are first needed.
         */
        public Builder preTouch(final boolean preTouch)
        {
            this.preTouch = preTouch;
            return this;
        }

        /**
         * {@return new page memory; nothing is mapped until the first page is allocated, unless it is pre-touched}
         */
        public PageMemory build()
        {
            final PageMemory memory = new PageMemory(this);
            if (preTouch)
            {
                synchronized (memory.lock)
                {
                    memory.mapBudget();
                }
            }
            return memory;
        }

        static void checkBudget(final long budgetBytes)
        {
            if (budgetBytes < 0)
            {
                throw new IllegalArgumentException("budgetBytes must be >= 0, was " + budgetBytes);
            }
        }
    }
}
