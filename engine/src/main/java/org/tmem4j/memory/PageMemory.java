package org.tmem4j.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;

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
 * <b>Threads.</b> All methods are thread-safe. Allocation and release take one short lock (tens of nanoseconds,
 * against microseconds to compress a page); {@link #segment(int)} and {@link #offset(int)} take none.
 * <p>
 * Page contents are not cleared between uses.
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

    private final int slabShift;
    private final int slabPageMask;
    private final long slabBytes;
    private final boolean hugePages;
    private final int retainedEmptySlabs;
    private final boolean mapped;

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
        this.retainedEmptySlabs = builder.retainedEmptySlabs;
        this.budgetBytes = builder.budgetBytes;
        this.mapped = builder.mmap && AnonymousMapping.isAvailable();
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
        synchronized (lock)
        {
            ensureOpen();
            int slabIndex = slabsWithFreePages.nextSetBit(0);
            if (slabIndex < 0)
            {
                slabIndex = mapSlab();
                if (slabIndex < 0)
                {
                    failedAllocations++;
                    return NO_PAGE;
                }
            }
            final Slab slab = slabs[slabIndex];
            if (slab.usedPages() == 0)
            {
                emptySlabs--;
            }
            final int page = slab.take();
            if (!slab.hasFreePage())
            {
                slabsWithFreePages.clear(slabIndex);
            }
            if (++pagesInUse > highWaterPages)
            {
                highWaterPages = pagesInUse;
            }
            return (slabIndex << slabShift) | page;
        }
    }

    /**
     * Gives a page back. A slab left with no page in use goes back to the operating system, except for
     * {@code retainedEmptySlabs} spares.
     *
     * @param page a page id returned by {@link #allocate()} and not freed since.
     * @throws IllegalArgumentException if the page is not currently allocated (a double free or a forged id).
     * @throws IllegalStateException    after {@link #close()}.
     */
    public void free(final int page)
    {
        synchronized (lock)
        {
            ensureOpen();
            final Slab slab = slabOrNull(page);
            final int pageInSlab = page & slabPageMask;
            if (slab == null || !slab.isInUse(pageInSlab))
            {
                throw new IllegalArgumentException("page " + page + " is not allocated (double free or forged id)");
            }
            slab.give(pageInSlab);
            pagesInUse--;
            slabsWithFreePages.set(slab.index);
            if (slab.usedPages() == 0 && (++emptySlabs > retainedEmptySlabs || reservedBytes > budgetBytes))
            {
                releaseSlab(slab);
            }
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
        synchronized (lock)
        {
            final Slab slab = slabOrNull(page);
            return slab != null && slab.isInUse(page & slabPageMask);
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
     * Changes the budget at run time. Lowering it below what is mapped maps nothing more until enough is freed;
     * nothing already handed out is taken back.
     *
     * @param budgetBytes the new limit, ≥ 0.
     */
    public void budgetBytes(final long budgetBytes)
    {
        Builder.checkBudget(budgetBytes);
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
            return Math.max(0, (budgetBytes - reservedBytes) >>> PAGE_SHIFT) + (mappedPages - pagesInUse);
        }
    }

    /**
     * {@return a consistent snapshot of the accounting}
     */
    public PageMemoryStats stats()
    {
        synchronized (lock)
        {
            return new PageMemoryStats(pagesInUse, highWaterPages, slabCount, reservedBytes, highWaterReservedBytes,
                budgetBytes, slabsReleased, failedAllocations);
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
         * {@return new page memory; nothing is mapped until the first page is allocated}
         */
        public PageMemory build()
        {
            return new PageMemory(this);
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
