package org.tmem4j.zsmalloc;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.memory.PageMemory;

/**
 * Everything of one size class: its zspages sorted into fullness groups, its handle table and its lock.
 * <p>
 * <b>Locking.</b> One {@link StampedLock} per class. Allocation, free and compaction (which moves objects) take it
 * exclusively; writes into an object take it shared, so a write never lands in a slot that compaction has just
 * vacated. Reads are optimistic: they copy the object out without a lock and keep the copy only if no exclusive
 * holder came in between; otherwise (a move, an allocation or a free in the class raced with them) they copy again
 * under the shared lock. An optimistic copy may touch a page that was given back in the meantime, which raises
 * {@link IllegalStateException} if its slab is gone; that too only sends the read round again.
 * <p>
 * <b>Fullness groups</b> follow the kernel: group 1 holds zspages less than 10% used, ..., group 9 less than 90%,
 * group 10 less than 100% and group 11 full. Empty zspages are never kept. Allocation takes the head of the fullest
 * non-full group; compaction moves objects from the head of the sparsest group into the fullest.
 */
final class SizeClass
{
    /** Groups 1..11 as the kernel's debugfs names them; index 0 (empty) is never populated. */
    static final String[] GROUP_NAMES = {"0%", "10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%", "99%",
        "100%"};
    private static final int FULL = 11;
    private static final int ALMOST_FULL = 10;
    private static final int MOVES_PER_LOCK = 64;

    final int index;
    final int slotSize;
    final int pagesPerZspage;
    final int objectsPerZspage;
    private final ClassLayout layout;
    private final PageMemory memory;
    private final StampedLock lock = new StampedLock();
    private final HandleTable handles = new HandleTable();
    private final ZsPage[] groupHeads = new ZsPage[FULL + 1];
    private final long[] groupCounts = new long[FULL + 1];
    private ZsPage[] zspages = new ZsPage[4];
    private int[] freeZspageIds = new int[4];
    private int freeZspageIdCount;
    private int zspageIdsUsed;
    private long zspageCount;
    private long storedBytes;
    private long pagesUsed;
    private long pagesCompacted;
    private long compactionStalls;

    SizeClass(final ClassLayout layout, final int index, final PageMemory memory)
    {
        this.layout = layout;
        this.index = index;
        this.memory = memory;
        slotSize = layout.slotSize(index);
        pagesPerZspage = layout.pagesPerZspage(index);
        objectsPerZspage = layout.objectsPerZspage(index);
    }

    /**
     * @return {@code generation << 26 | table index} of the new object, or {@link ObjectAllocator#NO_MEMORY}.
     */
    long allocate(final int size)
    {
        final long stamp = lock.writeLock();
        try
        {
            ZsPage zspage = fullestNonFull();
            final boolean created = zspage == null;
            if (created)
            {
                zspage = newZspage();
                if (zspage == null)
                {
                    return ObjectAllocator.NO_MEMORY;
                }
            }
            final int slot = zspage.lowestFreeSlot();
            final int handleIndex = handles.allocate(zspage.id, slot, size);
            if (handleIndex < 0)
            {
                if (created)
                {
                    dispose(zspage);
                }
                return ObjectAllocator.NO_MEMORY;
            }
            final int taken = zspage.take(slot, handleIndex, memory);
            if (taken < 0)
            {
                handles.free(handleIndex);
                if (created)
                {
                    dispose(zspage);
                }
                return ObjectAllocator.NO_MEMORY;
            }
            pagesUsed += taken;
            storedBytes += size;
            regroup(zspage);
            return (long)HandleTable.generation(handles.get(handleIndex)) << HandleTable.INDEX_BITS | handleIndex;
        }
        finally
        {
            lock.unlockWrite(stamp);
        }
    }

    void free(final int handleIndex, final int generation)
    {
        final long stamp = lock.writeLock();
        try
        {
            final long entry = liveEntry(handleIndex, generation);
            final ZsPage zspage = zspages[HandleTable.zspage(entry)];
            pagesUsed -= zspage.release(HandleTable.slot(entry), memory);
            storedBytes -= HandleTable.size(entry);
            handles.free(handleIndex);
            if (zspage.inUse == 0)
            {
                dispose(zspage);
            }
            else
            {
                regroup(zspage);
            }
        }
        finally
        {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Copies an object out, or only looks its size up when {@code dst} is null: optimistically first, under the
     * shared lock if an exclusive holder raced with the copy.
     *
     * @return the object's size.
     */
    int read(final int handleIndex, final int generation, final MemorySegment dst, final long dstOffset)
    {
        final long stamp = lock.tryOptimisticRead();
        if (stamp != 0)
        {
            try
            {
                final int size = copyOut(liveEntry(handleIndex, generation), dst, dstOffset);
                if (lock.validate(stamp))
                {
                    return size;
                }
            }
            catch (final RuntimeException ex)
            {
                if (lock.validate(stamp))
                {
                    throw ex;
                }
            }
        }
        final long readStamp = lock.readLock();
        try
        {
            return copyOut(liveEntry(handleIndex, generation), dst, dstOffset);
        }
        finally
        {
            lock.unlockRead(readStamp);
        }
    }

    /**
     * @return a read-only slice of pool memory holding the object when it lies within one page, else {@code null}
     * (the caller gathers it).
     */
    MemorySegment directView(final int handleIndex, final int generation)
    {
        final long stamp = lock.readLock();
        try
        {
            final long entry = liveEntry(handleIndex, generation);
            final ZsPage zspage = zspages[HandleTable.zspage(entry)];
            final long offset = zspage.slotOffset(HandleTable.slot(entry));
            final int inPage = (int)(offset & (PageMemory.PAGE_SIZE - 1));
            final int size = HandleTable.size(entry);
            if (inPage + size > PageMemory.PAGE_SIZE)
            {
                return null;
            }
            final int page = zspage.pages[(int)(offset >>> PageMemory.PAGE_SHIFT)];
            return memory.segment(page).asSlice(memory.offset(page) + inPage, size).asReadOnly();
        }
        finally
        {
            lock.unlockRead(stamp);
        }
    }

    void write(final int handleIndex, final int generation, final MemorySegment src, final long srcOffset)
    {
        final long stamp = lock.readLock();
        try
        {
            final long entry = liveEntry(handleIndex, generation);
            final int size = HandleTable.size(entry);
            if (srcOffset < 0 || src.byteSize() - srcOffset < size)
            {
                throw new IllegalArgumentException("source has " + src.byteSize() + " bytes; an object of " + size +
                    " bytes cannot be written from offset " + srcOffset);
            }
            final ZsPage zspage = zspages[HandleTable.zspage(entry)];
            copy(zspage, HandleTable.slot(entry), size, src, srcOffset, true);
        }
        finally
        {
            lock.unlockRead(stamp);
        }
    }

    /**
     * Moves live objects from the sparsest zspages into the fullest until every zspage but one is full and the last
     * one holds its objects in its lowest slots: the fewest pages the live objects can occupy. Takes the lock in
     * short turns, so allocation, reads and frees in this class go on in between.
     *
     * @param buffer at least one page of scratch to copy objects through.
     * @return pages given back to the page memory (net of pages taken for destination slots).
     */
    long compact(final MemorySegment buffer)
    {
        long freed = 0;
        boolean more = true;
        while (more)
        {
            final long stamp = lock.writeLock();
            try
            {
                for (int moves = 0; moves < MOVES_PER_LOCK && more; moves++)
                {
                    final ZsPage dst = fullestNonFull();
                    ZsPage src = sparsest();
                    if (src == dst && src != null)
                    {
                        src = dst.next != null && dst.next.group == dst.group ? dst.next : null;
                    }
                    final int moved;
                    if (dst == null)
                    {
                        more = false;
                        continue;
                    }
                    if (src == null)
                    {
                        final int high = dst.highestLiveSlot();
                        final int low = dst.lowestFreeSlot();
                        if (low < 0 || high < low)
                        {
                            more = false;
                            continue;
                        }
                        moved = move(dst, high, dst, low, buffer);
                    }
                    else
                    {
                        moved = move(src, src.highestLiveSlot(), dst, dst.lowestFreeSlot(), buffer);
                    }
                    if (moved == Integer.MIN_VALUE)
                    {
                        compactionStalls++;
                        more = false;
                        continue;
                    }
                    freed += moved;
                    pagesCompacted += moved;
                }
            }
            finally
            {
                lock.unlockWrite(stamp);
            }
        }
        return freed;
    }

    /**
     * @return pages net freed by the move, or {@link Integer#MIN_VALUE} if no page was free for the destination.
     */
    private int move(final ZsPage src, final int srcSlot, final ZsPage dst, final int dstSlot,
        final MemorySegment buffer)
    {
        final int handleIndex = src.owner(srcSlot);
        final int size = HandleTable.size(handles.get(handleIndex));
        final int taken = dst.take(dstSlot, handleIndex, memory);
        if (taken < 0)
        {
            return Integer.MIN_VALUE;
        }
        copy(src, srcSlot, size, buffer, 0, false);
        copy(dst, dstSlot, size, buffer, 0, true);
        handles.move(handleIndex, dst.id, dstSlot);
        final int given = src.release(srcSlot, memory);
        pagesUsed += taken - given;
        regroup(dst);
        if (src.inUse == 0)
        {
            dispose(src);
        }
        else if (src != dst)
        {
            regroup(src);
        }
        return given - taken;
    }

    /**
     * @return the per-class row of the statistics, taken under the lock.
     */
    ClassStats stats()
    {
        final long stamp = lock.readLock();
        try
        {
            final long[] groups = Arrays.copyOfRange(groupCounts, 1, FULL + 1);
            final long objects = handles.live();
            return new ClassStats(index, slotSize, pagesPerZspage, objectsPerZspage, groups,
                zspageCount * objectsPerZspage, objects, storedBytes, pagesUsed,
                pagesUsed - layout.minimumPages(index, objects), pagesCompacted, compactionStalls,
                handles.footprintBytes());
        }
        finally
        {
            lock.unlockRead(stamp);
        }
    }

    /**
     * Frees every object and page.
     */
    void close()
    {
        final long stamp = lock.writeLock();
        try
        {
            for (int id = 0; id < zspageIdsUsed; id++)
            {
                if (zspages[id] != null)
                {
                    zspages[id].releaseAll(memory);
                    zspages[id] = null;
                }
            }
            Arrays.fill(groupHeads, null);
            Arrays.fill(groupCounts, 0);
            handles.clear();
            zspageIdsUsed = 0;
            freeZspageIdCount = 0;
            zspageCount = 0;
            storedBytes = 0;
            pagesUsed = 0;
        }
        finally
        {
            lock.unlockWrite(stamp);
        }
    }

    private long liveEntry(final int handleIndex, final int generation)
    {
        final long entry = handles.get(handleIndex);
        if (HandleTable.size(entry) == 0 || HandleTable.generation(entry) != generation)
        {
            throw new IllegalArgumentException("handle is not live in size class " + index + " (entry " +
                handleIndex + " generation " + generation + "): freed, forged or from another allocator");
        }
        return entry;
    }

    private int copyOut(final long entry, final MemorySegment dst, final long dstOffset)
    {
        final int size = HandleTable.size(entry);
        if (dst == null)
        {
            return size;
        }
        if (dstOffset < 0 || dst.byteSize() - dstOffset < size)
        {
            throw new IllegalArgumentException("destination has " + dst.byteSize() + " bytes; an object of " + size +
                " bytes cannot be read to offset " + dstOffset);
        }
        copy(zspages[HandleTable.zspage(entry)], HandleTable.slot(entry), size, dst, dstOffset, false);
        return size;
    }

    /**
     * Copies between a slot and a buffer in one or two pieces: a slot crossing a page boundary continues at the
     * start of the zspage's next page, wherever that page is.
     */
    private void copy(final ZsPage zspage, final int slot, final int size, final MemorySegment buffer,
        final long bufferOffset, final boolean intoSlot)
    {
        final long offset = zspage.slotOffset(slot);
        final int pageIndex = (int)(offset >>> PageMemory.PAGE_SHIFT);
        final int inPage = (int)(offset & (PageMemory.PAGE_SIZE - 1));
        final int first = Math.min(size, PageMemory.PAGE_SIZE - inPage);
        copyPiece(zspage.pages[pageIndex], inPage, first, buffer, bufferOffset, intoSlot);
        if (first < size)
        {
            copyPiece(zspage.pages[pageIndex + 1], 0, size - first, buffer, bufferOffset + first, intoSlot);
        }
    }

    private void copyPiece(final int page, final int inPage, final int length, final MemorySegment buffer,
        final long bufferOffset, final boolean intoPage)
    {
        final MemorySegment segment = memory.segment(page);
        final long at = memory.offset(page) + inPage;
        if (intoPage)
        {
            MemorySegment.copy(buffer, bufferOffset, segment, at, length);
        }
        else
        {
            MemorySegment.copy(segment, at, buffer, bufferOffset, length);
        }
    }

    private ZsPage fullestNonFull()
    {
        for (int g = ALMOST_FULL; g >= 1; g--)
        {
            if (groupHeads[g] != null)
            {
                return groupHeads[g];
            }
        }
        return null;
    }

    private ZsPage sparsest()
    {
        for (int g = 1; g <= ALMOST_FULL; g++)
        {
            if (groupHeads[g] != null)
            {
                return groupHeads[g];
            }
        }
        return null;
    }

    private ZsPage newZspage()
    {
        final int id;
        if (freeZspageIdCount > 0)
        {
            id = freeZspageIds[--freeZspageIdCount];
        }
        else
        {
            if (zspageIdsUsed == HandleTable.MAX_ZSPAGES)
            {
                return null;
            }
            id = zspageIdsUsed++;
            if (id == zspages.length)
            {
                zspages = Arrays.copyOf(zspages, id * 2);
            }
        }
        final ZsPage zspage = new ZsPage(id, pagesPerZspage, objectsPerZspage, slotSize);
        zspages[id] = zspage;
        zspageCount++;
        return zspage;
    }

    private void dispose(final ZsPage zspage)
    {
        unlink(zspage);
        zspages[zspage.id] = null;
        if (freeZspageIdCount == freeZspageIds.length)
        {
            freeZspageIds = Arrays.copyOf(freeZspageIds, freeZspageIdCount * 2);
        }
        freeZspageIds[freeZspageIdCount++] = zspage.id;
        zspageCount--;
    }

    private static int groupOf(final ZsPage zspage)
    {
        if (zspage.inUse == 0)
        {
            return 0;
        }
        if (zspage.isFull())
        {
            return FULL;
        }
        return 100 * zspage.inUse / zspage.objects() / 10 + 1;
    }

    private void regroup(final ZsPage zspage)
    {
        final int group = groupOf(zspage);
        if (group != zspage.group || (zspage.prev == null && groupHeads[group] != zspage))
        {
            unlink(zspage);
            zspage.group = group;
            zspage.next = groupHeads[group];
            if (zspage.next != null)
            {
                zspage.next.prev = zspage;
            }
            groupHeads[group] = zspage;
            groupCounts[group]++;
        }
    }

    private void unlink(final ZsPage zspage)
    {
        final boolean linked = zspage.prev != null || groupHeads[zspage.group] == zspage;
        if (!linked)
        {
            return;
        }
        if (zspage.prev != null)
        {
            zspage.prev.next = zspage.next;
        }
        else
        {
            groupHeads[zspage.group] = zspage.next;
        }
        if (zspage.next != null)
        {
            zspage.next.prev = zspage.prev;
        }
        zspage.prev = null;
        zspage.next = null;
        groupCounts[zspage.group]--;
    }
}
