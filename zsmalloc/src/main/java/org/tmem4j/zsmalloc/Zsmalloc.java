package org.tmem4j.zsmalloc;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.alloc.CompactionPolicy;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectLocation;
import org.tmem4j.alloc.ObjectSizes;
import org.tmem4j.concurrent.CurrentCpu;
import org.tmem4j.memory.PageMemory;

/**
 * zsmalloc for the JVM: packs compressed pages of any size densely into 4 KiB pages, moves them to give pages back,
 * and keeps every handle valid while it does.
 * <p>
 * <b>Why.</b> A page that compresses to 1.6 KiB is worth storing only if it costs about 1.6 KiB of memory. zbud puts
 * at most two objects in a page, so it can never pass 2:1; a general-purpose heap puts headers between objects and
 * fragments as they come and go. zsmalloc instead sorts objects by size into <i>size classes</i>, cuts runs of memory
 * into slots of exactly one class's size, and lets slots run across boundaries, so that a class wastes only what
 * rounding up to its slot costs. Everything needed to find an object (its handle entry) is kept on the heap, outside
 * the pool, so pool pages hold object bytes and nothing else.
 * <p>
 * <b>Where the kernel loses density, and what this one does instead</b> (measured in the README):
 * <ul>
 * <li>The kernel rounds objects up to 16-byte classes and adds an 8-byte header to each; here slots come every
 * {@code step} bytes (16 by default) and objects carry no header.</li>
 * <li>Every class keeps one zspage that is still filling, and the last page it has reached is half empty on average:
 * about 2 KiB per class in use, as much as all other waste together on a pool of a few thousand pages. Here zspages
 * are built from <i>chunks</i> of an eighth of a page ({@link ChunkPool}) that the classes share, which cuts that to
 * about 256 bytes per class.</li>
 * <li>Because chunks of different classes share pages, a class that empties would leave its free chunks scattered
 * over pages other classes still use (the kernel's zspages own their pages and give them back at once). A free that
 * leaves too many free chunks in partly used pages therefore moves chunks out of the sparsest pages
 * ({@link ChunkPool#reclaim}), so pages go back as objects go, without waiting for compaction.</li>
 * <li>A zspage's length {@code k} (up to 64 pages, the kernel stops at 8) is chosen per class to waste the least
 * tail ({@code k·4096 mod size}); classes whose {@code (k, objects per zspage)} are equal are merged into the larger.
 * Objects too large to share a zspage fall into classes of one object per page, ending with the "huge" 4096.</li>
 * </ul>
 * <b>A zspage</b> ({@link ZsPage}) is {@code k} pages' worth of bytes laid end to end as a logical run and cut into
 * slots; the run is made of chunks that need not be contiguous nor in the same pages, and a chunk is held only while a
 * live slot touches it. An object that crosses a chunk boundary is copied piece by piece, one piece per run of
 * chunks that also lie in a row in memory (a class alone in a page takes its chunks in a row), and
 * {@link #view(long, MemorySegment)} gathers it.
 * <pre>
 *  handle (long, 63 bits):
 *  | allocator tag 17 | class shard 12 | generation 8 | handle-table index 26 |
 *                          |                               |
 *                          v                               v
 *  SizeClass[class shard] -> HandleTable entry (6 bytes, on the heap):
 *                         | generation 8 | live 1 | size - 1 12 | zspage id | slot |   (place: 27 bits)
 *                                                                    |         |
 *                                                                    v         v
 *  zspage of class 1632 (k = 2 pages, 5 slots, 8 chunks of 1 KiB; chunks taken as slots reach them)
 *
 *   logical run: 0        1024      2048      3072      4096      5120      6144      7168      8192
 *                | chunk 0 | chunk 1 | chunk 2 | chunk 3 | chunk 4 | chunk 5 | chunk 6 | chunk 7 |
 *                | slot 0        | slot 1        | slot 2        | slot 3        | slot 4        |tail
 *                0              1632           3264           4896           6528           8160
 *   chunks[] = {p8811:0, p8811:1, p301:3, p301:0, p77:2, --, --, --}   (page:quarter; -- not held)
 *   free slots = {3, 4} (a bitmap), so no live slot touches chunks 5 to 7
 *
 *  pool page p301: | chunk 3 of this zspage | a chunk of class 2048 | free | chunk 2 of this zspage |
 * </pre>
 * <b>Handles</b> go through a per-class {@link HandleTable}, so compaction moves an object by rewriting one entry.
 * The generation in both the handle and the entry makes a freed handle stale at once; the allocator tag makes a
 * handle of another allocator foreign. Per object the allocator keeps the 6-byte handle entry and nothing else, none
 * of it in pool pages: compaction, the only user of a slot-to-handle map, builds one from the handle table while it
 * runs (see {@link SizeClass}), and the free list of the table lives in its free entries. (The diagram's quarter-page
 * chunks are for legibility; the default chunk is an eighth.)
 * <p>
 * <b>Fullness groups.</b> Each class keeps its zspages in the kernel's groups (under 10%, ..., under 90%, under
 * 100%, full). Allocation takes the lowest free slot of a zspage in the fullest non-full group; a zspage whose last
 * object goes gives its chunks back at once (one per class shard is kept, without chunks, as a spare for the next
 * zspage), and a chunk that no live slot touches goes back to the pool even sooner. A page whose chunks are all
 * free goes back to the page memory (one is kept as a spare).
 * <p>
 * <b>Compaction</b> ({@link #compact()}): per class, objects move from the sparsest zspage into the fullest, then
 * within the last non-full zspage from its highest slots into its lowest, until the class holds the fewest chunks
 * its live objects can occupy ({@link ClassLayout#minimumChunks}); then chunks move out of the sparsest pages into
 * free chunks of fuller ones until the pool holds the fewest pages for its chunks. A move needs its destination
 * before it frees its source; when the budget has no chunk left, the move falls back to a free slot on chunks already
 * held, and failing that the class's compaction stops and counts a stall instead of waiting. Reads racing with a
 * move are optimistic and retried (see {@link SizeClass}); writes exclude moves. Built with a
 * {@link CompactionPolicy} that is on ({@link Builder#compaction}; the engine passes its configured one), the
 * allocator runs a {@link CompactionAgent} that compacts in the background once enough pages are freeable.
 * <p>
 * <b>Views.</b> Because compaction may move any object, and the SPI has no "done reading" call to pin it with,
 * {@link #view(long, MemorySegment)} copies the object into {@code scratch} by default (one copy is a few percent of
 * decompressing it). {@link Builder#directViews(boolean)} trades that for zero-copy views: an object whose bytes lie
 * in one run of memory (within one chunk, or over chunks that lie in a row) is then returned as a read-only slice of
 * pool memory, valid until the handle is freed or the object is moved by {@link #compact()}; an object over chunks
 * apart is still gathered into scratch. {@link #locate} needs neither: it pins the object in place
 * ({@link ReadPins}) until the caller's {@link #unpin}, and no move of bytes happens while a pin taken before it is
 * held (it waits, or gives up and tries later), so a get decompresses straight from pool memory whenever the object
 * lies in one run of memory.
 * <p>
 * <b>Statistics</b> ({@link #classStats()}): the kernel's debugfs columns per class and as a text table.
 * <p>
 * <b>Threads.</b> Each class is split into shards, one per CPU up to {@value Builder#MAX_SHARDS}
 * ({@link Builder#shardsPerClass}), each with its own zspages, handle table and lock: an allocation goes to the shard
 * of the CPU it runs on ({@link CurrentCpu}), so threads on different CPUs share no lock and no written line, and a
 * free goes to the shard its handle names. Shards cost density where they hold a zspage that is still filling
 * (about half a chunk per class, and one partly used zspage per shard after compaction), so an allocation whose
 * shard has no room (no free slot, no spare zspage) first takes a free slot of another shard, and else opens its
 * zspage in the lowest shard whose lock is free at once, but only in a shard where the same thread allocated last
 * (or nobody yet): one thread alone, wherever the scheduler moves it, fills shard 0 only, exactly as with one shard,
 * while a second thread leaves the first one's shard alone and opens its zspage in its own (two threads taking each
 * other's free slots would take turns on one lock and its lines on every call, and two threads did less than one);
 * from then on that shard keeps room (a spare zspage at least) for its CPU. Only once the budget is spent does an
 * allocation take a free slot wherever one is. The shards of one CPU are laid out
 * together (shard-major), away from other CPUs', and each shard index has a chunk pool of its own, so threads on
 * different CPUs meet only where one frees another's object or takes a free slot in another's shard. A pool per
 * shard costs density only while that shard is used: its spare page and the free chunks its reclaim tolerates
 * (1/128 of its chunks, at least two pages' worth).
 */
public final class Zsmalloc implements ObjectAllocator
{
    /** The name the provider registers. */
    public static final String NAME = "zsmalloc";

    private static final int CLASS_SHIFT = HandleTable.INDEX_BITS + HandleTable.GENERATION_BITS;
    private static final int CLASS_BITS = 12;
    /** Most class shards an allocator can have: the handle's class field indexes (class, shard) pairs. */
    static final int MAX_CLASS_SHARDS = 1 << CLASS_BITS;
    private static final int TAG_SHIFT = CLASS_SHIFT + CLASS_BITS;
    private static final int TAG_LIMIT = 1 << (63 - TAG_SHIFT);
    private static final AtomicInteger TAGS = new AtomicInteger();

    private final PageMemory memory;
    private final ClassLayout layout;
    private final boolean directViews;
    /** The chunk pool of each shard index: shard {@code s} of every class takes its chunks from {@code pools[s]}. */
    private final ChunkPool[] pools;
    /** Readers of {@link #locate} in pool memory, whom every move of bytes waits for or gives way to. */
    private final ReadPins pins = new ReadPins();
    private final int shards;
    /** The CPU an allocation runs on: {@link CurrentCpu#stripe()}, or a test's choice. */
    private final IntSupplier cpu;
    private final int classCount;
    /** Shard {@code s} of class {@code c} at {@code s × classCount + c}: one CPU's shards together. */
    private final SizeClass[] classes;
    private final long tag;
    private final ReentrantLock compactionLock = new ReentrantLock();
    private final MemorySegment compactionBuffer = MemorySegment.ofArray(new byte[PageMemory.PAGE_SIZE]);
    private volatile long pagesCompacted;
    private volatile boolean closed;
    private final CompactionAgent compactionAgent;
    private final AgentRunner compactionRunner;
    private final AtomicLong compactionErrors = new AtomicLong();

    private Zsmalloc(final Builder builder)
    {
        memory = builder.memory;
        layout = builder.layout;
        directViews = builder.directViews;
        shards = builder.shardsPerClass != 0 ? builder.shardsPerClass : Math.max(1, Math.min(
            Math.min(Builder.MAX_SHARDS, Runtime.getRuntime().availableProcessors()),
            MAX_CLASS_SHARDS / layout.classCount()));
        if ((long)layout.classCount() * shards > MAX_CLASS_SHARDS)
        {
            throw new IllegalArgumentException("shardsPerClass " + shards + " times " + layout.classCount() +
                " classes exceeds " + MAX_CLASS_SHARDS);
        }
        cpu = builder.cpu;
        classCount = layout.classCount();
        classes = new SizeClass[classCount * shards];
        pools = new ChunkPool[shards];
        for (int shard = 0; shard < shards; shard++)
        {
            pools[shard] = new ChunkPool(memory, layout.chunkSize());
        }
        for (int at = 0; at < classes.length; at++)
        {
            classes[at] = new SizeClass(layout, at % classCount, at, pools[at / classCount], pins);
        }
        tag = TAGS.getAndIncrement() % (TAG_LIMIT - 1) + 1;
        if (builder.compaction.enabled())
        {
            compactionAgent = new CompactionAgent(this, builder.compaction);
            compactionRunner = new AgentRunner(
                new SleepingMillisIdleStrategy(builder.compaction.interval().toMillis()),
                error -> compactionErrors.incrementAndGet(), null, compactionAgent);
            AgentRunner.startOnThread(compactionRunner, runnable ->
            {
                final Thread thread = new Thread(runnable, "zsmalloc-compaction");
                thread.setDaemon(true);
                return thread;
            });
        }
        else
        {
            compactionAgent = null;
            compactionRunner = null;
        }
    }

    /**
     * {@return an allocator with the default layout and copying views}
     *
     * @param memory the page memory to take pages from (shared; not closed by this allocator).
     */
    public static Zsmalloc create(final PageMemory memory)
    {
        return builder(memory).build();
    }

    /**
     * {@return a builder}
     *
     * @param memory the page memory to take pages from.
     */
    public static Builder builder(final PageMemory memory)
    {
        return new Builder(memory);
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
        final long handle = allocateInClass(size);
        if (handle > 0)
        {
            // a page gathered for in-place reads left free chunks in shared pages: fill them, holding no class lock
            final ChunkPool pool = pools[((int)(handle >>> CLASS_SHIFT) & ((1 << CLASS_BITS) - 1)) / classCount];
            if (pool.packDue())
            {
                pool.pack();
            }
        }
        return handle;
    }

    private long allocateInClass(final int size)
    {
        ObjectSizes.checkObjectSize(size);
        ensureOpen();
        if (memory.isClosed())
        {
            throw new IllegalStateException("the page memory under this allocator is closed");
        }
        final int cls = layout.classOf(size);
        if (shards == 1)
        {
            return handle(cls, classes[cls].allocate(size));
        }
        final int home = cpu.getAsInt() % shards;
        final int at = home * classCount + cls;
        final SizeClass own = classes[at];
        long stamp = own.tryLockExclusive();
        if (stamp == 0)
        {
            // another thread holds this CPU's shard: one that lost the CPU while holding it (more threads than CPUs)
            // would make this one queue for a time slice; a free slot in a shard whose lock is free at once costs
            // no density, so take that, and queue only if there is none
            final long elsewhere = allocateInFreeShard(home, cls, size);
            if (elsewhere > 0)
            {
                return elsewhere;
            }
            stamp = own.lockExclusive();
        }
        try
        {
            final long self = Thread.currentThread().threadId();
            if (!own.hasRoom())
            {
                // a free slot in another shard costs no density, a new zspage costs its filling tail: take the first,
                // else open the zspage in the lowest shard whose lock is free at once (own counts, its lock is held);
                // but only in shards this thread allocated in last (it moved to this CPU): a shard another thread
                // allocates in is one where the two would take turns on the same lock and lines, every call
                for (int pass = 0; pass < 2; pass++)
                {
                    for (int other = 0; other < (pass == 0 ? shards : home); other++)
                    {
                        final int there = other * classCount + cls;
                        final long allocated =
                            other == home ? -1 : allocateElsewhere(classes[there], size, pass == 1, self);
                        if (allocated >= 0)
                        {
                            return handle(there, allocated);
                        }
                    }
                }
            }
            final long allocated = own.allocateLocked(size, self);
            if (allocated == NO_MEMORY)
            {
                // the budget is spent: a free slot anywhere is the last room left
                final long elsewhere = allocateInFreeShard(home, cls, size);
                if (elsewhere > 0)
                {
                    return elsewhere;
                }
            }
            return handle(at, allocated);
        }
        finally
        {
            own.unlockExclusive(stamp);
        }
    }

    /**
     * Allocates in a free slot of another shard of the class whose lock is free at once, whoever allocates there.
     *
     * @param home the calling CPU's shard, not looked in (its lock is held: by another thread, or by the caller when
     *             that shard has no memory left).
     * @return a handle, or {@link #NO_MEMORY} if no such shard has a free slot.
     */
    private long allocateInFreeShard(final int home, final int cls, final int size)
    {
        for (int other = 0; other < shards; other++)
        {
            final int there = other * classCount + cls;
            final long allocated = other == home ? -1 : allocateElsewhere(classes[there], size, false, -1);
            if (allocated >= 0)
            {
                return handle(there, allocated);
            }
        }
        return NO_MEMORY;
    }

    /**
     * Allocates in another shard of the class if its lock is free at once (the caller holds its own shard's lock:
     * waiting here could deadlock, and a busy shard is one another CPU is using), the calling thread allocated there
     * last (or {@code thread} is -1: any) and it has room ({@link SizeClass#hasRoom}), or may open a zspage there.
     *
     * @param thread the calling thread's id, or -1 to allocate whoever allocated there last.
     * @return as {@link SizeClass#allocateLocked}, or -1 when the lock was taken, another thread allocates there, or
     * the shard has no free slot and may not open a zspage.
     */
    private static long allocateElsewhere(final SizeClass shard, final int size, final boolean mayOpenZspage,
        final long thread)
    {
        final long stamp = shard.tryLockExclusive();
        if (stamp == 0)
        {
            return -1;
        }
        try
        {
            if (thread != -1 && !shard.lastAllocatedBy(thread))
            {
                return -1;
            }
            return mayOpenZspage || shard.hasRoom() ? shard.allocateLocked(size, thread) : -1;
        }
        finally
        {
            shard.unlockExclusive(stamp);
        }
    }

    private long handle(final int shard, final long indexAndGeneration)
    {
        return indexAndGeneration < 0 ? indexAndGeneration :
            tag << TAG_SHIFT | (long)shard << CLASS_SHIFT | indexAndGeneration;
    }

    @Override
    public void write(final long handle, final MemorySegment src, final long srcOffset)
    {
        sizeClass(handle).write(index(handle), generation(handle), src, srcOffset);
    }

    @Override
    public void read(final long handle, final MemorySegment dst, final long dstOffset)
    {
        final SizeClass sizeClass = sizeClass(handle);
        if (dst.isReadOnly())
        {
            throw new IllegalArgumentException("destination segment is read-only");
        }
        sizeClass.read(index(handle), generation(handle), dst, dstOffset);
    }

    /**
     * Exposes an object for reading. By default the object is copied into {@code scratch} (gathered piece by piece
     * when it crosses a chunk boundary of its non-contiguous zspage) and the answer is a read-only slice of
     * {@code scratch}. With {@link Builder#directViews(boolean)} an object whose bytes lie in one run of memory
     * (within one chunk, or over chunks in a row) is answered as a read-only slice of pool memory instead, valid until
     * the handle is freed or compaction moves the object; one over chunks apart is still gathered into
     * {@code scratch}.
     *
     * @param handle  a live handle.
     * @param scratch writable, at least {@link #size(long)} bytes.
     * @return a read-only segment of exactly {@link #size(long)} bytes.
     */
    @Override
    public MemorySegment view(final long handle, final MemorySegment scratch)
    {
        final SizeClass sizeClass = sizeClass(handle);
        if (directViews)
        {
            final MemorySegment direct = sizeClass.directView(index(handle), generation(handle));
            if (direct != null)
            {
                return direct;
            }
        }
        if (scratch.isReadOnly())
        {
            throw new IllegalArgumentException("scratch segment is read-only");
        }
        final int size = sizeClass.read(index(handle), generation(handle), scratch, 0);
        return scratch.asSlice(0, size).asReadOnly();
    }

    /**
     * Locates an object in pool memory and pins it there, so that a codec decompresses from the pool without a copy:
     * whenever its bytes lie in one run of memory (within one chunk, or over chunks that lie in a row, as a class
     * alone in a page takes them). Until {@link #unpin}, compaction and chunk moves wait before moving it. An object
     * over chunks apart, or one a writer in its class raced with, is copied into {@code scratch} as by
     * {@link #view(long, MemorySegment)}, without a pin.
     *
     * @param handle  a live handle.
     * @param scratch writable, at least {@link #size(long)} bytes.
     * @param into    receives the location: pool memory with a pin, or {@code scratch} without.
     */
    @Override
    public void locate(final long handle, final MemorySegment scratch, final ObjectLocation into)
    {
        final SizeClass sizeClass = sizeClass(handle);
        if (scratch.isReadOnly())
        {
            throw new IllegalArgumentException("scratch segment is read-only");
        }
        if (!sizeClass.locate(index(handle), generation(handle), pins, into, scratch))
        {
            into.set(scratch, 0, sizeClass.read(index(handle), generation(handle), scratch, 0));
        }
    }

    @Override
    public void unpin(final ObjectLocation location)
    {
        final int pin = location.pin();
        if (pin != ObjectLocation.NO_PIN)
        {
            location.set(location.segment(), location.offset(), location.length());
            pins.exit(pin);
        }
    }

    @Override
    public int size(final long handle)
    {
        return sizeClass(handle).read(index(handle), generation(handle), null, 0);
    }

    @Override
    public void free(final long handle)
    {
        sizeAndFree(handle);
    }

    /**
     * Frees under one hold of the class lock (size, then free, would look the handle up twice, and the size's look
     * waits for any allocation in the class).
     */
    @Override
    public int sizeAndFree(final long handle)
    {
        final SizeClass sizeClass = sizeClass(handle);
        final int size = sizeClass.free(index(handle), generation(handle));
        final ChunkPool pool = pools[sizeClass.at / classCount];
        if (pool.reclaimDue())
        {
            pool.reclaim();
        }
        return size;
    }

    /**
     * Compacts every class, largest first (their moves free the most per copied byte), then moves chunks out of
     * sparse pages into fuller ones ({@link ChunkPool#consolidate}). One compaction runs at a time; a second caller
     * waits for the first.
     *
     * @return pages given back to the page memory.
     */
    @Override
    public long compact()
    {
        ensureOpen();
        compactionLock.lock();
        try
        {
            final long before = pagesHeld();
            for (int c = classCount - 1; c >= 0 && !closed; c--)
            {
                for (int shard = 0; shard < shards && !closed; shard++)
                {
                    classes[shard * classCount + c].compact(compactionBuffer);
                }
            }
            for (int shard = 0; shard < shards && !closed; shard++)
            {
                pools[shard].consolidate();
            }
            final long freed = Math.max(0, before - pagesHeld());
            pagesCompacted += freed;
            return freed;
        }
        finally
        {
            compactionLock.unlock();
        }
    }

    @Override
    public AllocatorStats stats()
    {
        final ZsmallocStats table = classStats();
        return new AllocatorStats(NAME, table.objects(), table.storedBytes(), table.pagesUsed(),
            ZsmallocStats.DETAILS.values(table));
    }

    /**
     * {@return the per-class table (the kernel's debugfs {@code classes} columns) with totals}
     */
    public ZsmallocStats classStats()
    {
        ensureOpen();
        final List<ClassStats> rows = new ArrayList<>(classCount);
        for (int c = 0; c < classCount; c++)
        {
            ClassStats row = classes[c].stats();
            for (int shard = 1; shard < shards; shard++)
            {
                row = row.plus(classes[shard * classCount + c].stats());
            }
            rows.add(row);
        }
        long chunksMoved = 0;
        long footprint = 0;
        long pagesGathered = 0;
        for (final ChunkPool pool : pools)
        {
            chunksMoved += pool.chunksMoved();
            footprint += pool.footprintBytes();
            pagesGathered += pool.pagesGathered();
        }
        return new ZsmallocStats(rows, pagesHeld(), pagesCompacted, new ZsmallocStats.PoolCounters(
            chunksMoved, footprint, pagesGathered, compactionAgent == null ? 0 : compactionAgent.compactions(),
            compactionAgent == null ? 0 : compactionAgent.pagesFreed(), compactionErrors.get()));
    }

    /**
     * {@return the class layout in use}
     */
    public ClassLayout layout()
    {
        return layout;
    }

    /**
     * {@return the shards each size class is split into}
     */
    public int shardsPerClass()
    {
        return shards;
    }

    /**
     * {@return the page memory this allocator takes pages from}
     */
    public PageMemory memory()
    {
        return memory;
    }

    /**
     * {@return whether {@link #close()} has been called}
     */
    public boolean isClosed()
    {
        return closed;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (compactionRunner != null)
        {
            // wake the agent from its idle sleep so that closing does not wait out the check interval
            final Thread agentThread = compactionRunner.thread();
            if (agentThread != null)
            {
                agentThread.interrupt();
            }
            compactionRunner.close();
        }
        compactionLock.lock();
        try
        {
            if (!memory.isClosed())
            {
                for (final SizeClass sizeClass : classes)
                {
                    sizeClass.close();
                }
                for (final ChunkPool pool : pools)
                {
                    pool.close();
                }
            }
        }
        finally
        {
            compactionLock.unlock();
        }
    }

    @Override
    public String toString()
    {
        return "Zsmalloc{" + layout + ", directViews=" + directViews + ", " + (closed ? "closed" : stats()) + "}";
    }

    private long pagesHeld()
    {
        long pages = 0;
        for (final ChunkPool pool : pools)
        {
            pages += pool.pagesHeld();
        }
        return pages;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("zsmalloc allocator is closed");
        }
    }

    private SizeClass sizeClass(final long handle)
    {
        ensureOpen();
        final int cls = (int)(handle >>> CLASS_SHIFT) & ((1 << CLASS_BITS) - 1);
        if (handle <= 0 || handle >>> TAG_SHIFT != tag || cls >= classes.length)
        {
            throw new IllegalArgumentException("handle " + handle + " was not issued by this zsmalloc allocator");
        }
        return classes[cls];
    }

    private static int index(final long handle)
    {
        return (int)handle & (HandleTable.MAX_ENTRIES - 1);
    }

    private static int generation(final long handle)
    {
        return (int)(handle >>> HandleTable.INDEX_BITS) & HandleTable.GENERATION_MASK;
    }

    /**
     * Settings of a {@link Zsmalloc}.
     */
    public static final class Builder
    {
        private final PageMemory memory;
        private ClassLayout layout = ClassLayout.DEFAULT;
        private boolean directViews;
        /** Most shards per class. */
        public static final int MAX_SHARDS = 8;

        /** 0: one per CPU, as many as the handle's class field leaves room for. */
        private int shardsPerClass;
        private IntSupplier cpu = CurrentCpu::stripe;
        private CompactionPolicy compaction = CompactionPolicy.OFF;

        private Builder(final PageMemory memory)
        {
            if (memory == null)
            {
                throw new IllegalArgumentException("page memory must not be null");
            }
            this.memory = memory;
        }

        /**
         * {@return this}
         *
         * @param layout the size classes; default {@link ClassLayout#DEFAULT}.
         */
        public Builder layout(final ClassLayout layout)
        {
            if (layout == null)
            {
                throw new IllegalArgumentException("layout must not be null");
            }
            this.layout = layout;
            return this;
        }

        /**
         * {@return this}
         *
         * @param directViews whether {@link Zsmalloc#view(long, MemorySegment)} answers objects in one run of
         *                    memory (one chunk, or chunks in a row) as slices of pool memory (valid until freed or
         *                    moved by compaction) instead of copies; default false.
         */
        public Builder directViews(final boolean directViews)
        {
            this.directViews = directViews;
            return this;
        }

        /**
         * {@return this}
         *
         * @param shardsPerClass independent parts of each size class, each with its own zspages, handle table and
         *                       lock, 1 to {@value #MAX_SHARDS}; default one per CPU, at most {@value #MAX_SHARDS}
         *                       (and fewer for a layout with over 512 classes).
         *                       An allocation goes to its CPU's shard (CPU number modulo this); 1 is one lock per
         *                       class, as the kernel has.
         */
        public Builder shardsPerClass(final int shardsPerClass)
        {
            if (shardsPerClass < 1 || shardsPerClass > MAX_SHARDS)
            {
                throw new IllegalArgumentException("shardsPerClass must be 1 to " + MAX_SHARDS + ", was " +
                    shardsPerClass);
            }
            this.shardsPerClass = shardsPerClass;
            return this;
        }

        /**
         * Lets a test say which CPU each allocation runs on, so that every shard is reached on any machine.
         *
         * @param cpu a non-negative CPU number per call.
         * @return this
         */
        Builder cpu(final IntSupplier cpu)
        {
            this.cpu = cpu;
            return this;
        }

        /**
         * {@return this}
         *
         * @param compaction when to compact in the background (a daemon thread per allocator, stopped by
         *                   {@link Zsmalloc#close()}); default {@link CompactionPolicy#OFF}. The engine passes its
         *                   own, {@link CompactionPolicy#DEFAULT} unless configured otherwise.
         */
        public Builder compaction(final CompactionPolicy compaction)
        {
            if (compaction == null)
            {
                throw new IllegalArgumentException("compaction must not be null");
            }
            this.compaction = compaction;
            return this;
        }

        /**
         * {@return a new, empty allocator}
         */
        public Zsmalloc build()
        {
            return new Zsmalloc(this);
        }
    }
}
