package org.tmem4j.zsmalloc;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectLocation;

/**
 * Everything of one size class: its zspages sorted into fullness groups, its handle table and its lock.
 * <p>
 * <b>Locking.</b> One {@link StampedLock} per class. Allocation, free and compaction (which moves objects) take it
 * exclusively; writes into an object take it shared, so a write never lands in a slot that compaction has just
 * vacated. Reads are optimistic: they copy the object out without a lock and keep the copy only if no exclusive
 * holder came in between; otherwise (a move, an allocation or a free in the class raced with them) they copy again
 * under the shared lock. An optimistic copy may touch a chunk that was given back in the meantime (its page may even
 * have left the pool, raising {@link IllegalStateException} if its slab is gone); that too only sends the read round
 * again. Chunk moves between pages ({@link ChunkPool#consolidate}, {@link ChunkPool#reclaim}) also take the class's lock exclusively.
 * <p>
 * <b>Pinned reads.</b> {@link #locate} hands out pool memory to decompress from after the lock's validation, for as
 * long as the reader takes: no move of bytes happens, under the exclusive lock, before the readers that entered
 * {@link ReadPins} before it have left. Compaction and consolidation wait for them; gathering a page's worth and
 * packing chunks, which can as well be done later, give up if they do not leave within a short spin.
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
    private static final int PENDING_GROUPS = 8;

    final int index;
    /** This shard's place in the allocator's array of class shards, which the chunk pool's owner words name. */
    final int at;
    final int slotSize;
    final int pagesPerZspage;
    final int objectsPerZspage;
    private final ClassLayout layout;
    private final ChunkPool pool;
    private final ReadPins pins;
    private final StampedLock lock = new StampedLock();
    private final HandleTable handles;
    private final ZsPage[] groupHeads = new ZsPage[FULL + 1];
    private final long[] groupCounts = new long[FULL + 1];
    /** By zspage id; empty until the class (shard) first holds a zspage, so that an unused shard costs nothing. */
    private ZsPage[] zspages = new ZsPage[0];
    private int[] freeZspageIds = new int[0];
    private int freeZspageIdCount;
    private int zspageIdsUsed;
    private long zspageCount;
    private long storedBytes;
    private long chunksUsed;
    private long chunksCompacted;
    private long compactionStalls;
    /**
     * While a compaction of this class is under way: the handle-table index of the object in each slot, at
     * {@code zspage id × objectsPerZspage + slot} (stale for free slots). Built from the handle table when the
     * compaction starts and kept up to date by allocations and moves until it ends, so that no back-pointer has to be
     * kept per object the rest of the time.
     */
    private int[] owners;
    /**
     * The zspage that emptied last, kept out of the fullness groups without any chunk, for the next allocation that
     * finds every zspage full: a class whose zspages are exactly full would otherwise build and drop a zspage (its
     * chunk table and slot bitmap) on every allocate-free pair.
     */
    private ZsPage spare;
    /**
     * The id of the thread that allocated here last: a thread whose own CPU's shard is full takes room in another
     * shard only where it allocated last itself (see {@link Zsmalloc#allocate}).
     */
    private long lastThread = -1;
    /**
     * Completed page groups left scattered because the pool gave no page at the time, or readers were still in
     * ({@link #gatherPages}), as {@code zspage id << 16 | group}: retried when the next group here completes. A few
     * only; one that finds no room is left scattered (compaction gathers it if it moves objects into it).
     */
    private final int[] pendingGroups = new int[PENDING_GROUPS];
    private int pendingGroupCount;

    SizeClass(final ClassLayout layout, final int index, final int at, final ChunkPool pool, final ReadPins pins)
    {
        this.layout = layout;
        this.pins = pins;
        this.index = index;
        this.at = at;
        this.pool = pool;
        slotSize = layout.slotSize(index);
        pagesPerZspage = layout.pagesPerZspage(index);
        objectsPerZspage = layout.objectsPerZspage(index);
        handles = new HandleTable(objectsPerZspage);
    }

    /**
     * @return {@code generation << 26 | table index} of the new object, or {@link ObjectAllocator#NO_MEMORY}.
     */
    long allocate(final int size)
    {
        final long stamp = lock.writeLock();
        try
        {
            return allocateLocked(size, Thread.currentThread().threadId());
        }
        finally
        {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * {@return the stamp of this class's exclusive lock, taken (see {@link #allocateLocked})}
     */
    long lockExclusive()
    {
        return lock.writeLock();
    }

    /**
     * {@return the stamp of this class's exclusive lock if it was free at once, else 0}
     */
    long tryLockExclusive()
    {
        return lock.tryWriteLock();
    }

    /**
     * Releases the exclusive lock taken by {@link #lockExclusive} or {@link #tryLockExclusive}.
     */
    void unlockExclusive(final long stamp)
    {
        lock.unlockWrite(stamp);
    }

    /**
     * {@return whether a zspage of this class has a free slot, or the class keeps a spare zspage (it held objects
     * before, so a thread allocates here again rather than in another shard); under the exclusive lock}
     */
    boolean hasRoom()
    {
        return spare != null || fullestNonFull() != null;
    }

    /**
     * {@return whether the last allocation here was made by the thread of this id, or none was made yet; under the
     * exclusive lock}
     */
    boolean lastAllocatedBy(final long thread)
    {
        return lastThread == thread || lastThread == -1;
    }

    /**
     * Allocates under the exclusive lock the caller holds.
     *
     * @param thread the allocating thread's id (see {@link #lastAllocatedBy}), or -1 to leave the last one as is.
     * @return {@code generation << 26 | table index} of the new object, or {@link ObjectAllocator#NO_MEMORY}.
     */
    long allocateLocked(final int size, final long thread)
    {
        if (thread != -1)
        {
            lastThread = thread;
        }
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
        final int taken = zspage.take(slot, pool);
        if (taken < 0)
        {
            handles.free(handleIndex);
            if (created)
            {
                dispose(zspage);
            }
            return ObjectAllocator.NO_MEMORY;
        }
        if (owners != null)
        {
            recordOwner(zspage.id, slot, handleIndex);
        }
        gatherPages(zspage, slot, false);
        chunksUsed += taken;
        storedBytes += size;
        regroup(zspage);
        return (long)HandleTable.generation(handles.get(handleIndex)) << HandleTable.INDEX_BITS | handleIndex;
    }

    /**
     * @return the object's size.
     */
    int free(final int handleIndex, final int generation)
    {
        final long stamp = lock.writeLock();
        try
        {
            final long entry = liveEntry(handleIndex, generation);
            final ZsPage zspage = zspages[handles.zspage(entry)];
            final int size = HandleTable.size(entry);
            chunksUsed -= zspage.release(handles.slot(entry), pool);
            storedBytes -= size;
            handles.free(handleIndex);
            if (zspage.inUse > 0)
            {
                regroup(zspage);
            }
            else if (spare == null)
            {
                chunksUsed -= zspage.releaseIdleChunks(pool);
                unlink(zspage);
                zspage.group = 0;
                spare = zspage;
                zspageCount--;
            }
            else
            {
                dispose(zspage);
            }
            return size;
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
     * @return a read-only slice of pool memory holding the object when its bytes lie in one run of memory (one chunk,
     * or chunks in a row), else {@code null} (the caller gathers it).
     */
    MemorySegment directView(final int handleIndex, final int generation)
    {
        final long stamp = lock.readLock();
        try
        {
            final long entry = liveEntry(handleIndex, generation);
            final ZsPage zspage = zspages[handles.zspage(entry)];
            final long offset = zspage.slotOffset(handles.slot(entry));
            final int inChunk = (int)(offset & (pool.chunkSize - 1));
            final int size = HandleTable.size(entry);
            final int first = (int)(offset >>> pool.chunkShift);
            if (contiguousBytes(zspage, first, inChunk, size) < size)
            {
                return null;
            }
            final int chunk = zspage.chunk(first);
            return pool.segment(chunk).asSlice(pool.offset(chunk) + inChunk, size).asReadOnly();
        }
        finally
        {
            lock.unlockRead(stamp);
        }
    }

    /**
     * Finds an object in pool memory and pins it there ({@link ReadPins}), when its bytes lie in one run of memory,
     * else gathers it into {@code scratch}: optimistically, without the lock, in one look at the handle entry. A
     * location validated against the lock cannot be moved until the pin goes, since a mover takes the lock and then
     * waits for the readers that entered before it; a copy needs no pin, only the validation after it.
     *
     * @param scratch where an object over chunks apart is gathered; writable.
     * @return whether {@code into} now holds the object's location (with a pin) or its copy in {@code scratch};
     * false if a writer raced with the look, or scratch is too small (the caller reads under the lock instead, which
     * also names what is wrong).
     */
    boolean locate(final int handleIndex, final int generation, final ReadPins pins, final ObjectLocation into,
        final MemorySegment scratch)
    {
        int pin = pins.enter();
        try
        {
            final long stamp = lock.tryOptimisticRead();
            if (stamp == 0)
            {
                return false;
            }
            try
            {
                final long entry = liveEntry(handleIndex, generation);
                final ZsPage zspage = zspages[handles.zspage(entry)];
                final int slot = handles.slot(entry);
                final long offset = zspage.slotOffset(slot);
                final int inChunk = (int)(offset & (pool.chunkSize - 1));
                final int size = HandleTable.size(entry);
                final int first = (int)(offset >>> pool.chunkShift);
                if (contiguousBytes(zspage, first, inChunk, size) >= size)
                {
                    final int chunk = zspage.chunk(first);
                    final MemorySegment segment = pool.segment(chunk);
                    final long at = pool.offset(chunk) + inChunk;
                    if (lock.validate(stamp))
                    {
                        into.set(segment, at, size, pin);
                        pin = ObjectLocation.NO_PIN;
                        return true;
                    }
                }
                else if (scratch.byteSize() >= size)
                {
                    pins.exit(pin);
                    pin = ObjectLocation.NO_PIN;
                    copy(zspage, slot, size, scratch, 0, false);
                    if (lock.validate(stamp))
                    {
                        into.set(scratch, 0, size);
                        return true;
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                // a stale look may index past a table or reach a slab given back; only a validated one is an error
                if (lock.validate(stamp))
                {
                    throw ex;
                }
            }
            return false;
        }
        finally
        {
            if (pin != ObjectLocation.NO_PIN)
            {
                pins.exit(pin);
            }
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
            final ZsPage zspage = zspages[handles.zspage(entry)];
            copy(zspage, handles.slot(entry), size, src, srcOffset, true);
        }
        finally
        {
            lock.unlockRead(stamp);
        }
    }

    /**
     * Moves live objects from the sparsest zspages into the fullest until every zspage but one is full and the last
     * one holds its objects in its lowest slots: the fewest chunks the live objects can occupy. Takes the lock in
     * short turns, so allocation, reads and frees in this class go on in between.
     *
     * @param buffer at least one page of scratch to copy objects through.
     * @return chunks given back to the pool (net of chunks taken for destination slots).
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
                // objects about to move may be pinned by readers that located them before this lock was taken
                pins.awaitReaders();
                if (owners == null)
                {
                    owners = handles.owners(objectsPerZspage, zspageIdsUsed);
                }
                for (int moves = 0; moves < MOVES_PER_LOCK && more; moves++)
                {
                    final ZsPage dst = fullestNonFull();
                    ZsPage src = sparsest();
                    if (src == dst && src != null)
                    {
                        src = dst.next != null && dst.next.group == dst.group ? dst.next : null;
                    }
                    if (dst == null)
                    {
                        more = false;
                        continue;
                    }
                    final ZsPage from = src == null ? dst : src;
                    final int high = from.highestLiveSlot();
                    final int low = dst.lowestFreeSlot();
                    if (src == null && (low < 0 || high < low))
                    {
                        more = false;
                        continue;
                    }
                    int moved = move(from, high, dst, low, buffer);
                    if (moved == Integer.MIN_VALUE)
                    {
                        // no chunk for the lowest free slot: fall back to a free slot whose chunks are all present
                        final int present = dst.lowestFreeSlotOnPresentChunks(src == null ? high : Integer.MAX_VALUE);
                        if (present >= 0)
                        {
                            moved = move(from, high, dst, present, buffer);
                        }
                    }
                    if (moved == Integer.MIN_VALUE)
                    {
                        compactionStalls++;
                        more = false;
                        continue;
                    }
                    freed += moved;
                    chunksCompacted += moved;
                }
                if (!more)
                {
                    final long idle = releaseIdleChunks();
                    freed += idle;
                    chunksCompacted += idle;
                    owners = null;
                }
            }
            finally
            {
                lock.unlockWrite(stamp);
            }
        }
        return freed;
    }

    private void recordOwner(final int zspage, final int slot, final int handleIndex)
    {
        final int at = zspage * objectsPerZspage + slot;
        if (at >= owners.length)
        {
            owners = Arrays.copyOf(owners, Math.max(at + 1, owners.length * 2));
        }
        owners[at] = handleIndex;
    }

    /**
     * Gathers each page's worth of a zspage's run that a slot just completed into a pool page of its own, in order,
     * so that the objects in it lie in one run of memory and {@link #locate} reads them in place. Under the exclusive
     * lock, after the slot's chunks were taken.
     * <p>
     * <b>Why after the fact.</b> The chunks of a zspage that is filling come one at a time from whatever pages have a
     * free one, so that the filling zspages of all classes share pages and none holds a page of free chunks it may
     * never use (that is what keeps the fill density at 0.98 and over). But the classes filling at once take turns on
     * the same pages, so a zspage's consecutive chunks were rarely neighbours in memory and most objects, which cross
     * a chunk edge, had to be gathered into scratch to be read. Once a page's worth of the run is complete it no longer
     * grows, and moving its chunks into one page costs a 4 KiB copy per page stored; the chunks it leaves are free
     * chunks in shared pages, which the next chunks taken one at a time fill again. When the page memory has no page
     * the group stays as it is.
     */
    private void gatherPages(final ZsPage zspage, final int slot, final boolean readersOut)
    {
        final int perPage = pool.chunksPerPage;
        if (perPage == 1)
        {
            return;
        }
        final int groups = zspage.groupsOf(slot, perPage);
        // at most one try at seeing the readers out per call: each try flips the readers' epoch
        boolean tried = readersOut;
        boolean quiet = readersOut;
        for (int group = groups >>> 16, last = groups & 0xFFFF; group <= last; group++)
        {
            if (!zspage.scatteredGroup(group, perPage))
            {
                continue;
            }
            if (!tried)
            {
                tried = true;
                quiet = pins.tryAwaitReaders();
            }
            if ((!quiet || !gather(zspage, group)) && pendingGroupCount < PENDING_GROUPS)
            {
                pendingGroups[pendingGroupCount++] = zspage.id << 16 | group;
            }
        }
        if (quiet && pendingGroupCount > 0)
        {
            gatherPending();
        }
    }

    /**
     * Retries the groups {@link #gatherPages} left scattered, until the pool gives no page again. No reader is in.
     */
    private void gatherPending()
    {
        while (pendingGroupCount > 0)
        {
            final int pending = pendingGroups[pendingGroupCount - 1];
            final ZsPage zspage = zspages[pending >>> 16];
            final int group = pending & 0xFFFF;
            if (zspage != null && zspage.scatteredGroup(group, pool.chunksPerPage) && !gather(zspage, group))
            {
                return;
            }
            pendingGroupCount--;
        }
    }

    /**
     * Moves a completed page group's chunks into a page of their own. The caller has seen every reader out
     * ({@link ReadPins}) since it took the exclusive lock: no one may be decompressing from the chunks given back.
     *
     * @return false if the pool gave no page (nothing changed).
     */
    private boolean gather(final ZsPage zspage, final int group)
    {
        final int perPage = pool.chunksPerPage;
        final int firstPosition = group * perPage;
        final int page = pool.acquirePage(zspage, owners != null);
        if (page == ChunkPool.NO_CHUNK)
        {
            return false;
        }
        for (int position = firstPosition, to = page; position < firstPosition + perPage; position++, to++)
        {
            final int from = zspage.chunk(position);
            MemorySegment.copy(pool.segment(from), pool.offset(from), pool.segment(to), pool.offset(to),
                pool.chunkSize);
            zspage.moveChunk(position, to);
            pool.release(from);
        }
        return true;
    }

    private long releaseIdleChunks()
    {
        long given = 0;
        for (int id = 0; id < zspageIdsUsed; id++)
        {
            if (zspages[id] != null)
            {
                given += zspages[id].releaseIdleChunks(pool);
            }
        }
        chunksUsed -= given;
        return given;
    }

    /**
     * @return chunks net freed by the move, or {@link Integer#MIN_VALUE} if no chunk was free for the destination.
     */
    private int move(final ZsPage src, final int srcSlot, final ZsPage dst, final int dstSlot,
        final MemorySegment buffer)
    {
        final int handleIndex = owners[src.id * objectsPerZspage + srcSlot];
        final int size = HandleTable.size(handles.get(handleIndex));
        final int taken = dst.take(dstSlot, pool);
        if (taken < 0)
        {
            return Integer.MIN_VALUE;
        }
        // compaction saw the readers out when it took the lock, and no new one can find this class meanwhile
        gatherPages(dst, dstSlot, true);
        copy(src, srcSlot, size, buffer, 0, false);
        copy(dst, dstSlot, size, buffer, 0, true);
        handles.move(handleIndex, dst.id, dstSlot);
        recordOwner(dst.id, dstSlot, handleIndex);
        int given = src.release(srcSlot, pool);
        chunksUsed += taken - given;
        regroup(dst);
        if (src.inUse == 0)
        {
            given += dispose(src);
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
                zspageCount * objectsPerZspage, objects, storedBytes, chunksUsed, pool.chunkSize,
                chunksUsed - layout.minimumChunks(index, objects), chunksCompacted, compactionStalls,
                handles.footprintBytes(), zspageFootprint());
        }
        finally
        {
            lock.unlockRead(stamp);
        }
    }

    private long zspageFootprint()
    {
        long bytes = (long)zspages.length * Integer.BYTES + (long)freeZspageIds.length * Integer.BYTES;
        for (int id = 0; id < zspageIdsUsed; id++)
        {
            if (zspages[id] != null)
            {
                bytes += zspages[id].footprintBytes();
            }
        }
        return bytes;
    }

    /**
     * Moves one chunk of a zspage out of a sparse pool page (see {@link ChunkPool#reclaim}), under this class's
     * exclusive lock so that no reader copies from it meanwhile and no writer writes into it. Nothing happens if the
     * zspage no longer holds that chunk at that position (it was given back between the pool's look and this lock).
     *
     * @param mayWait whether to wait for readers still in ({@link ReadPins#awaitReaders}), or give up at once if they
     *                do not leave within a short spin ({@link ReadPins#tryAwaitReaders}).
     * @return false if it gave up (nothing changed).
     */
    boolean moveChunk(final ZsPage zspage, final int chunk, final ChunkPool chunks, final boolean mayWait)
    {
        final long stamp = lock.writeLock();
        try
        {
            final int position = zspages[zspage.id] == zspage ? zspage.positionOf(chunk) : -1;
            if (position < 0)
            {
                return true;
            }
            if (mayWait)
            {
                pins.awaitReaders();
            }
            else if (!pins.tryAwaitReaders())
            {
                return false;
            }
            zspage.moveChunk(position, chunks.moveIfSparse(chunk));
            return true;
        }
        finally
        {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Forgets every object; the pool gives the pages back.
     */
    void close()
    {
        final long stamp = lock.writeLock();
        try
        {
            // a get racing with close may still decompress from a pinned object: its pages go back only after it
            pins.awaitReaders();
            Arrays.fill(zspages, null);
            Arrays.fill(groupHeads, null);
            Arrays.fill(groupCounts, 0);
            handles.clear();
            owners = null;
            spare = null;
            pendingGroupCount = 0;
            zspageIdsUsed = 0;
            freeZspageIdCount = 0;
            zspageCount = 0;
            storedBytes = 0;
            chunksUsed = 0;
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
        copy(zspages[handles.zspage(entry)], handles.slot(entry), size, dst, dstOffset, false);
        return size;
    }

    /**
     * Copies between a slot and a buffer piece by piece: a slot crossing a chunk boundary continues at the start of
     * the zspage's next chunk, wherever that chunk is; chunks that lie in a row are one piece.
     */
    private void copy(final ZsPage zspage, final int slot, final int size, final MemorySegment buffer,
        final long bufferOffset, final boolean intoSlot)
    {
        final long offset = zspage.slotOffset(slot);
        int chunkIndex = (int)(offset >>> pool.chunkShift);
        int inChunk = (int)(offset & (pool.chunkSize - 1));
        int done = 0;
        while (done < size)
        {
            final int length = contiguousBytes(zspage, chunkIndex, inChunk, size - done);
            copyPiece(zspage.chunk(chunkIndex), inChunk, length, buffer, bufferOffset + done, intoSlot);
            done += length;
            chunkIndex += (inChunk + length - 1 >>> pool.chunkShift) + 1;
            inChunk = 0;
        }
    }

    /**
     * {@return how many of the {@code remaining} bytes of a slot, from {@code inChunk} of the zspage's chunk at
     * {@code chunkIndex} on, lie in one run of memory}: the chunks that follow it in the zspage and also in memory
     * (the next chunk of the same page, or the first of the next page of the same slab) join it, so that an object
     * is copied in as few pieces as its chunks allow, and one whose chunks lie in a row is one piece.
     */
    private int contiguousBytes(final ZsPage zspage, final int chunkIndex, final int inChunk, final int remaining)
    {
        int length = Math.min(remaining, pool.chunkSize - inChunk);
        int chunk = zspage.chunk(chunkIndex);
        for (int next = chunkIndex + 1; length < remaining; next++)
        {
            final int following = zspage.chunk(next);
            if (!pool.followsInMemory(chunk, following))
            {
                break;
            }
            length += Math.min(remaining - length, pool.chunkSize);
            chunk = following;
        }
        return length;
    }

    private void copyPiece(final int chunk, final int inChunk, final int length, final MemorySegment buffer,
        final long bufferOffset, final boolean intoPage)
    {
        final MemorySegment segment = pool.segment(chunk);
        final long at = pool.offset(chunk) + inChunk;
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
        if (spare != null)
        {
            final ZsPage reused = spare;
            spare = null;
            zspageCount++;
            return reused;
        }
        final int id;
        if (freeZspageIdCount > 0)
        {
            id = freeZspageIds[--freeZspageIdCount];
        }
        else
        {
            if (zspageIdsUsed == handles.maxZspages())
            {
                return null;
            }
            id = zspageIdsUsed++;
            if (id == zspages.length)
            {
                zspages = Arrays.copyOf(zspages, Math.max(4, id * 2));
            }
        }
        final ZsPage zspage = new ZsPage(this, id, layout.chunksPerZspage(index), pool.chunkShift);
        zspage.poolId = pool.register(zspage);
        zspages[id] = zspage;
        zspageCount++;
        return zspage;
    }

    /**
     * @return chunks given back (those an emptied zspage still held for its first slot).
     */
    private int dispose(final ZsPage zspage)
    {
        final int given = zspage.releaseIdleChunks(pool);
        chunksUsed -= given;
        unlink(zspage);
        zspages[zspage.id] = null;
        pool.unregister(zspage);
        if (freeZspageIdCount == freeZspageIds.length)
        {
            freeZspageIds = Arrays.copyOf(freeZspageIds, Math.max(4, freeZspageIdCount * 2));
        }
        freeZspageIds[freeZspageIdCount++] = zspage.id;
        zspageCount--;
        return given;
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
