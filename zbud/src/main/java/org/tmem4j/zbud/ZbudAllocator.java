package org.tmem4j.zbud;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectLocation;
import org.tmem4j.alloc.ObjectSizes;
import org.tmem4j.concurrent.PaddedSpinLock;
import org.tmem4j.concurrent.CurrentCpu;
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
 * <b>Handles</b> ({@link ZbudHandle}) carry a tag of this allocator, the shard, the page's slot, the buddy and the
 * buddy's generation, which every free advances. Every use of a handle checks them all, so a handle of another
 * allocator, a freed one or a forged one raises {@link IllegalArgumentException} and never touches memory.
 * <p>
 * <b>Statistics</b> ({@link #stats()} details, described in {@code DETAILS}): {@code buddied} (two objects) and
 * {@code unbuddied} (one object) pages, {@code no_memory} (allocations refused for the budget) and
 * {@code foreign_fits} (objects placed in another shard's page once the budget was spent, see below).
 * <p>
 * <b>Threads: shards.</b> The pages are split among shards, each a page table with its own lock, so that threads
 * on different CPUs never share a lock or a written cache line (a single lock made two threads slower than one).
 * An allocation goes to the shard of the CPU it runs on ({@link CurrentCpu}, as the compressor pool picks its
 * slot), or to the next one whose lock is free when another thread holds it (one that lost this CPU while holding
 * it: a user-space lock holder can be preempted, and queueing behind it would stall the CPU's every allocation): best
 * fit among that shard's pages, else a new page for that shard, as the kernel's per-CPU lists serve
 * their CPU first. Only when the budget leaves no new page does it look for a fit in the other shards, one lock at
 * a time, so a hole stranded in another shard is used before any allocation fails: {@link #NO_MEMORY} still means
 * that no page of any shard could take the object. While memory is plentiful each shard pairs its own objects,
 * which costs a little density (each shard keeps its own half-empty pages); a free goes to the shard its handle
 * names. Each lock is held for a few dozen instructions.
 * <p>
 * <b>Finding an object takes no lock.</b> Reads, writes, views and sizes find the object's page, offset and size
 * from its page record read under the shard's <i>version</i>, a sequence count that every change of the shard makes
 * odd while it runs and even again after: a read of the record between two equal even versions saw no change, and
 * otherwise it is read again (after a few tries, under the lock). A handle is validated the same way as under the
 * lock, so a freed or forged handle still raises {@link IllegalArgumentException}. Finding an object is then never
 * queued behind a lock holder that lost its CPU, nor does it move the shard's lock line between CPUs: the engine
 * finds the object once per store (to write it) and once per load. The bytes are copied after the find, which is
 * safe because the object cannot move and its owner does not free it while using it.
 */
public final class ZbudAllocator implements ObjectAllocator
{
    /** The name the allocator is found by. */
    public static final String NAME = "zbud";

    private static final AtomicInteger NEXT_TAG = new AtomicInteger();
    /** Lock-free reads of a record tried before taking the shard's lock: changes are a few dozen instructions. */
    private static final int OPTIMISTIC_READS = 8;

    private final PageMemory memory;
    private final int tag;
    private final Shard[] shards;
    private final int shardMask;
    private volatile boolean closed;

    /** zbud's own counters, summed over the shards: the details of its {@link AllocatorStats}. */
    private static final CounterCatalog<Totals> DETAILS = CounterCatalog.<Totals>builder()
        .gauge("buddied", CounterUnit.PAGES, "pages holding two objects", Totals::buddied)
        .gauge("unbuddied", CounterUnit.PAGES, "pages holding one object, with room for a buddy",
            Totals::unbuddied)
        .counter("no_memory", CounterUnit.OPERATIONS, "allocations refused because page memory was at its budget",
            Totals::noMemory)
        .counter("foreign_fits", CounterUnit.OBJECTS, "objects placed in another CPU's shard once the budget was "
            + "spent", Totals::foreignFits)
        .build();

    /** The shards' counters, summed. */
    private record Totals(long buddied, long unbuddied, long noMemory, long foreignFits)
    {
    }

    /**
     * A shard's fields after its lock word and a cache line of padding: its counters, written by every allocation
     * and free of the shard's CPU.
     */
    private abstract static class ShardFields extends PaddedSpinLock
    {
        final int index;
        final PageTable table = new PageTable(64);
        /** Odd while the lock holder changes the table, advanced by two per change; see {@link #locate(long)}. */
        int version;
        long objects;
        long storedBytes;
        long noMemory;
        long foreignFits;

        ShardFields(final int index)
        {
            this.index = index;
        }
    }

    /**
     * One lock's worth of zbud: a page table and its counters, guarded by the shard's lock: a word set with one
     * compare-and-set, as the page memory's per-CPU caches have.
     * <p>
     * <b>Why not a {@code ReentrantLock}.</b> The shards were {@code ReentrantLock}s made one after the other: small
     * objects whose fields (the counters, written on every call) share a cache line whenever the heap lays two of
     * them side by side, as a garbage collection that copies the array of shards and then its elements may; and the
     * lock's state lived in another object anywhere in the heap. Two threads on two CPUs then move a line between the
     * cores on every call in some JVM runs and not in others, which fits the JMH forks of round 4 (8 and 20 M
     * allocate+free pairs per second on two threads). Here the lock word and counters sit between a cache line of
     * padding on either side (superclass and subclass fields keep that order), as does the page table's state, and a
     * thread waiting for a held shard spins, then yields, never parks: the holder runs a few dozen instructions.
     */
    private static final class Shard extends ShardFields
    {
        private static final VarHandle VERSION;

        static
        {
            try
            {
                VERSION = MethodHandles.lookup().findVarHandle(ShardFields.class, "version", int.class);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new ExceptionInInitializerError(ex);
            }
        }

        @SuppressWarnings("unused")
        private long q0, q1, q2, q3, q4, q5, q6, q7;

        Shard(final int index)
        {
            super(index);
        }

        /** Locks the shard and opens a change of its table: the version turns odd before any write. */
        void lockForChange()
        {
            lock();
            beginChange();
        }

        /** {@link #tryLock()}, and a change opened if it succeeded. */
        boolean tryLockForChange()
        {
            if (!tryLock())
            {
                return false;
            }
            beginChange();
            return true;
        }

        /** Closes the change (the version turns even after every write) and unlocks. */
        void unlockAfterChange()
        {
            VERSION.setRelease(this, version + 1);
            unlock();
        }

        private void beginChange()
        {
            VERSION.setOpaque(this, version + 1);
            // no write of the change may become visible before the odd version
            VarHandle.storeStoreFence();
        }

        /** {@return the version before a lock-free read: odd while a change runs} */
        int versionBeforeRead()
        {
            return (int)VERSION.getAcquire(this);
        }

        /** {@return whether no change ran since {@code before}, read after every read of the table} */
        boolean unchangedSince(final int before)
        {
            VarHandle.loadLoadFence();
            return (before & 1) == 0 && (int)VERSION.getOpaque(this) == before;
        }
    }

    /**
     * Creates an empty allocator that takes its pages from {@code memory} as objects need them.
     *
     * @param memory the page memory to take pages from; shared, and not closed by this allocator.
     */
    public ZbudAllocator(final PageMemory memory)
    {
        this(memory, defaultShards());
    }

    /**
     * Creates an empty allocator of {@code shards} shards, each with its own lock, that takes its pages from
     * {@code memory} as objects need them.
     *
     * @param memory the page memory to take pages from; shared, and not closed by this allocator.
     * @param shards the number of shards, a power of two from 1 to {@value ZbudHandle#MAX_SHARDS}; one shard is
     *               the unsharded allocator with one lock.
     * @throws IllegalArgumentException if shards is out of range.
     */
    public ZbudAllocator(final PageMemory memory, final int shards)
    {
        this.memory = Objects.requireNonNull(memory, "memory");
        if (shards < 1 || shards > ZbudHandle.MAX_SHARDS || Integer.bitCount(shards) != 1)
        {
            throw new IllegalArgumentException("shards must be a power of two from 1 to " + ZbudHandle.MAX_SHARDS +
                ", was " + shards);
        }
        this.tag = (NEXT_TAG.getAndIncrement() & Integer.MAX_VALUE) % ZbudHandle.TAG_MASK + 1;
        this.shards = new Shard[shards];
        for (int i = 0; i < shards; i++)
        {
            this.shards[i] = new Shard(i);
        }
        this.shardMask = shards - 1;
    }

    /**
     * @return one shard per available processor, rounded up to a power of two, at most
     * {@value ZbudHandle#MAX_SHARDS}.
     */
    static int defaultShards()
    {
        final int cpus = Runtime.getRuntime().availableProcessors();
        return Math.min(ZbudHandle.MAX_SHARDS, Integer.highestOneBit(cpus * 2 - 1));
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
        final Shard own = lockShard(CurrentCpu.stripe() & shardMask);
        try
        {
            ensureOpen();
            final int slot = own.table.bestFit(chunks);
            if (slot != NONE)
            {
                return place(own, slot, size);
            }
            final int page = own.table.canAddPage() ? memory.allocate() : PageMemory.NO_PAGE;
            if (page != PageMemory.NO_PAGE)
            {
                return place(own, own.table.addPage(page), size);
            }
        }
        finally
        {
            own.unlockAfterChange();
        }
        // the budget is spent: a hole in another shard, or one a free opened in this shard while its lock was let
        // go (the last one tried), is the last room left
        for (int i = 1; i <= shards.length; i++)
        {
            final long handle = allocateIfFits(own, shards[(own.index + i) & shardMask], chunks, size);
            if (handle != NO_MEMORY)
            {
                return handle;
            }
        }
        return NO_MEMORY;
    }

    /**
     * Locks the shard of the current CPU or, when another thread holds it (one that lost this CPU while holding it,
     * or that this thread just moved away from), the next shard whose lock is free at once, so that an allocation
     * does not queue behind a preempted thread; only with every shard held does it wait, for its own.
     *
     * @param home the current CPU's shard.
     * @return the shard locked.
     */
    private Shard lockShard(final int home)
    {
        for (int i = 0; i < shards.length; i++)
        {
            final Shard shard = shards[(home + i) & shardMask];
            if (shard.tryLockForChange())
            {
                return shard;
            }
        }
        final Shard shard = shards[home];
        shard.lockForChange();
        return shard;
    }

    /**
     * Best fit in a shard, if it has one; a miss in the allocating thread's own shard counts as {@code no_memory}.
     *
     * @return a handle, or {@link #NO_MEMORY} if the shard has no fit.
     */
    private long allocateIfFits(final Shard own, final Shard shard, final int chunks, final int size)
    {
        shard.lockForChange();
        try
        {
            ensureOpen();
            final int slot = shard.table.bestFit(chunks);
            if (slot == NONE)
            {
                if (shard == own)
                {
                    shard.noMemory++;
                }
                return NO_MEMORY;
            }
            if (shard != own)
            {
                shard.foreignFits++;
            }
            return place(shard, slot, size);
        }
        finally
        {
            shard.unlockAfterChange();
        }
    }

    /**
     * Puts an object into a page of a locked shard: a page with one object (best fit) or a new, empty one.
     */
    private long place(final Shard shard, final int slot, final int size)
    {
        final PageTable table = shard.table;
        final int buddy;
        if (table.objects(slot) == 0)
        {
            buddy = FIRST;
        }
        else
        {
            table.unlist(slot);
            buddy = table.size(slot, FIRST) == 0 ? FIRST : LAST;
        }
        table.place(slot, buddy, size);
        table.list(slot);
        shard.objects++;
        shard.storedBytes += size;
        return ZbudHandle.encode(tag, shard.index, table.generation(slot, buddy), slot, buddy);
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
    public void locate(final long handle, final MemorySegment scratch, final ObjectLocation into)
    {
        final long location = locate(handle);
        final int page = Location.page(location);
        into.set(memory.segment(page), memory.offset(page) + Location.offset(location), Location.size(location));
    }

    @Override
    public int size(final long handle)
    {
        return Location.size(locate(handle));
    }

    @Override
    public void free(final long handle)
    {
        sizeAndFree(handle);
    }

    /**
     * Frees under one hold of the shard lock (size, then free, would take it twice).
     */
    @Override
    public int sizeAndFree(final long handle)
    {
        final Shard shard = shardOf(handle);
        shard.lockForChange();
        try
        {
            ensureOpen();
            final PageTable table = shard.table;
            final int slot = liveSlot(shard, handle);
            final int buddy = ZbudHandle.buddy(handle);
            final int size = table.size(slot, buddy);
            table.unlist(slot);
            table.clear(slot, buddy);
            shard.objects--;
            shard.storedBytes -= size;
            if (table.objects(slot) == 0)
            {
                final int page = table.pageId(slot);
                table.removePage(slot);
                memory.free(page);
            }
            else
            {
                table.list(slot);
            }
            return size;
        }
        finally
        {
            shard.unlockAfterChange();
        }
    }

    @Override
    public long compact()
    {
        ensureOpen();
        return 0;
    }

    @Override
    public AllocatorStats stats()
    {
        ensureOpen();
        long objects = 0;
        long storedBytes = 0;
        long pages = 0;
        long buddied = 0;
        long unbuddied = 0;
        long noMemory = 0;
        long foreignFits = 0;
        for (final Shard shard : shards)
        {
            shard.lock();
            try
            {
                objects += shard.objects;
                storedBytes += shard.storedBytes;
                pages += shard.table.pages();
                buddied += shard.table.buddiedPages();
                unbuddied += shard.table.unbuddiedPages();
                noMemory += shard.noMemory;
                foreignFits += shard.foreignFits;
            }
            finally
            {
                shard.unlock();
            }
        }
        return new AllocatorStats(NAME, objects, storedBytes, pages,
            DETAILS.values(new Totals(buddied, unbuddied, noMemory, foreignFits)));
    }

    /**
     * Gives every page back to the page memory (unless that is closed already, which took them back itself).
     */
    @Override
    public void close()
    {
        for (final Shard shard : shards)
        {
            shard.lockForChange();
        }
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
            if (!memory.isClosed())
            {
                for (final Shard shard : shards)
                {
                    final PageTable table = shard.table;
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
        finally
        {
            for (final Shard shard : shards)
            {
                shard.unlockAfterChange();
            }
        }
    }

    @Override
    public String toString()
    {
        if (closed)
        {
            return "ZbudAllocator[closed]";
        }
        final AllocatorStats stats = stats();
        return "ZbudAllocator[objects=" + stats.objects() + ", storedBytes=" + stats.storedBytes() + ", pages=" +
            stats.pagesUsed() + ", buddied=" + stats.detail("buddied") + ", unbuddied=" + stats.detail("unbuddied") +
            ", shards=" + shards.length + "]";
    }

    /**
     * Finds a live object without the shard's lock when no change of the shard overlaps the read (see the class
     * comment), else under it.
     *
     * @return the object's {@link Location}.
     * @throws IllegalArgumentException if the handle is not live.
     */
    private long locate(final long handle)
    {
        final Shard shard = shardOf(handle);
        final int slot = ZbudHandle.slot(handle);
        final int buddy = ZbudHandle.buddy(handle);
        for (int attempt = 0; attempt < OPTIMISTIC_READS; attempt++)
        {
            final int before = shard.versionBeforeRead();
            final long found = shard.table.findLive(slot, buddy, ZbudHandle.generation(handle));
            if (shard.unchangedSince(before))
            {
                ensureOpen();
                if (found == PageTable.NO_RECORD)
                {
                    throw notLive(handle);
                }
                final int size = PageTable.sizeOf(found);
                return Location.of(PageTable.pageIdOf(found), (int)PageTable.offsetInPage(buddy, size), size);
            }
            Thread.onSpinWait();
        }
        shard.lock();
        try
        {
            ensureOpen();
            final int live = liveSlot(shard, handle);
            final int size = shard.table.size(live, buddy);
            return Location.of(shard.table.pageId(live), (int)PageTable.offsetInPage(buddy, size), size);
        }
        finally
        {
            shard.unlock();
        }
    }

    /**
     * @return the shard a handle of this allocator names.
     * @throws IllegalArgumentException if the handle is not one of this allocator's.
     */
    private Shard shardOf(final long handle)
    {
        if (handle <= 0 || ZbudHandle.tag(handle) != tag || ZbudHandle.shard(handle) >= shards.length)
        {
            ensureOpen();
            throw new IllegalArgumentException("handle 0x" + Long.toHexString(handle) +
                " was not handed out by this zbud allocator (forged, or from another allocator)");
        }
        return shards[ZbudHandle.shard(handle)];
    }

    /**
     * @return the slot of a live handle in its (locked) shard.
     * @throws IllegalArgumentException naming what is wrong with any other handle.
     */
    private static int liveSlot(final Shard shard, final long handle)
    {
        final PageTable table = shard.table;
        final int slot = ZbudHandle.slot(handle);
        final int buddy = ZbudHandle.buddy(handle);
        if (slot >= table.slotCount() || !table.isLive(slot) || table.size(slot, buddy) == 0 ||
            table.generation(slot, buddy) != ZbudHandle.generation(handle))
        {
            throw notLive(handle);
        }
        return slot;
    }

    private static IllegalArgumentException notLive(final long handle)
    {
        return new IllegalArgumentException("handle 0x" + Long.toHexString(handle) +
            " is not live: its object was freed, or the handle is forged");
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
