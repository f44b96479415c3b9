package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import org.tmem4j.alloc.AllocatorProvider;
import org.tmem4j.alloc.CompactionPolicy;
import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.codec.CompressorPool;
import org.tmem4j.codec.CompressorSlot;
import org.tmem4j.codec.CorruptDataException;
import org.tmem4j.codec.PageChecksum;
import org.tmem4j.codec.SameFilledPage;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.memory.PageMemoryStats;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.tmem.EvictedPageSink;
import org.tmem4j.tmem.ObjectId;
import org.tmem4j.tmem.PageReader;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.tmem.Tmem;
import org.tmem4j.tmem.TmemPool;

/**
 * The zcache backend: tmem pools whose pages are compressed by a per-CPU {@link CompressorPool} and packed by an
 * {@link ObjectAllocator} chosen by name, all under one {@link PageMemory} budget.
 * <pre>
 *   put(pool, oid, index, page)
 *     same-filled? ---------------------------------------------------> value = word  (no allocation)
 *     else  slot = compressors.acquire()  compress -> slot.output  [+ xxHash32]
 *           admission: clen &gt; 7/8 page, or persistent and clen &gt; 5/8 with mean &gt; 5/8  -> POOR_COMPRESSION
 *           handle = allocator.allocate(len)  -- NO_MEMORY? evict oldest ephemeral page, retry --
 *           allocator.write(handle, slot.output); release slot
 *     lock bucket, link value, unlock; free the replaced value (never overwritten in place)
 *
 *   get:  ephemeral (or exclusive gets): take under the lock, decompress outside it, free
 *         persistent:                     decompress under the bucket lock (the lock keeps the handle alive)
 * </pre>
 * <b>Admission policy</b> (zcache2's): a page compressing to more than 7/8 of a page is refused in both pool kinds
 * ({@code compress_poor}); a persistent page above 5/8 is also refused while the mean compressed size of persistent
 * pages is above 5/8 ({@code mean_compress_poor}). Refused pages are not stored raw: a cache gains nothing from a
 * page it cannot shrink, and frontswap keeps the page on its backing device. A failed put also drops any older
 * copy of the page, so a get never returns stale data.
 * <p>
 * <b>Budget.</b> The allocator takes pages from one page memory. When it is full, a put evicts ephemeral pages, the
 * least recently put first (each pool keeps per-bucket lists; {@link Tmem} samples them), until the allocation
 * succeeds; this works with allocators that cannot evict (zsmalloc). A persistent put may take room from ephemeral
 * pages but never evicts a persistent page: with no ephemeral page left it fails with {@link #NO_MEMORY}.
 * <p>
 * <b>Large pages</b> (8 to 64 KiB) whose compressed form exceeds the allocator's largest object are stored as parts
 * of at most that size and a span directory object listing them.
 * <p>
 * <b>Checksums</b> (optional): an xxHash32 of the compressed bytes follows them in the allocator object; a get
 * verifies it before decompressing, and a mismatch or a codec error drops the page, counts it in
 * {@code corrupt_pages} and throws {@link CorruptPageException} — never wrong bytes.
 * <p>
 * <b>Threads.</b> All methods are thread-safe. Puts and gets take one bucket lock of their pool and no global lock;
 * compression and allocation happen outside bucket locks.
 */
public final class Zcache implements AutoCloseable
{
    /** {@link #put}: the page is stored. */
    public static final int STORED = 0;
    /** {@link #put}: no memory within the budget (and, for ephemeral room, nothing left to evict). */
    public static final int NO_MEMORY = -1;
    /** {@link #put}: the page compresses too poorly to be admitted (see the admission policy). */
    public static final int POOR_COMPRESSION = -2;

    private static final int CHECKSUM_BYTES = Integer.BYTES;
    private static final ValueLayout.OfInt STORED_INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong STORED_LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final String name;
    private final Tmem tmem;
    private final PageMemory memory;
    private final ObjectAllocator allocator;
    private final CompressorPool compressors;
    private final CodecSpec codec;
    private final boolean checksum;
    private final boolean exclusiveGets;
    private final int checksumBytes;
    private final int largestObject;
    private final ZcacheEvents events = new ZcacheEvents();
    private final ReadContext[] readContexts;
    private final PageReader<ReadContext> reader = this::readUnderLock;
    private final EvictedPageSink evictionSink = this::evicted;
    private final ZcachePool.FreeAction freeAction = this::free;
    private final Object poolsLock = new Object();
    private volatile ZcachePool[] pools = new ZcachePool[0];
    private final OperationGate gate;
    /**
     * Set when the budget was lowered below the pages in use: page memory keeps handing out free pages of slabs
     * it has mapped, so until usage is back under the budget, allocations first evict ephemeral pages and fail
     * when none is left.
     */
    private volatile boolean overBudget;

    private Zcache(final Builder builder, final ObjectAllocator allocator, final PageMemory memory,
        final CompressorPool compressors)
    {
        this.name = builder.name;
        this.gate = new OperationGate("zcache " + builder.name);
        this.tmem = new Tmem(builder.buckets);
        this.memory = memory;
        this.allocator = allocator;
        this.compressors = compressors;
        this.codec = builder.codec;
        this.checksum = builder.checksum;
        this.exclusiveGets = builder.exclusiveGets;
        this.checksumBytes = checksum ? CHECKSUM_BYTES : 0;
        this.largestObject = allocator.maxStoredSize();
        this.readContexts = new ReadContext[compressors.slots()];
        for (int i = 0; i < readContexts.length; i++)
        {
            readContexts[i] = new ReadContext();
        }
    }

    /**
     * @return a builder with the defaults: zsmalloc, LZ4, 256 MiB, 256 buckets, no checksum, shared gets, one
     * compressor slot per available processor.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Creates a private pool.
     *
     * @param kind     ephemeral or persistent.
     * @param pageSize bytes per page: a power of two from 4096 to 65536.
     * @return the new pool's id, ≥ 0 (ids are never reused).
     */
    public int createPool(final PoolKind kind, final int pageSize)
    {
        gate.enter();
        try
        {
            checkOpen();
            Objects.requireNonNull(kind, "kind");
            synchronized (poolsLock)
            {
                return register(tmem.createPool(kind, pageSize));
            }
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Creates a shared pool, or returns the id of the live one with the same uuid (which then counts one more
     * reference: each call is matched by one {@link #destroyPool(int)}).
     *
     * @param kind     ephemeral or persistent.
     * @param uuidHi   high 64 bits of the uuid.
     * @param uuidLo   low 64 bits of the uuid.
     * @param pageSize bytes per page: a power of two from 4096 to 65536.
     * @return the pool id.
     * @throws IllegalArgumentException if a pool of that uuid exists with another kind or page size.
     */
    public int createSharedPool(final PoolKind kind, final long uuidHi, final long uuidLo, final int pageSize)
    {
        gate.enter();
        try
        {
            checkOpen();
            Objects.requireNonNull(kind, "kind");
            synchronized (poolsLock)
            {
                final TmemPool pool = tmem.createSharedPool(kind, uuidHi, uuidLo, pageSize);
                final ZcachePool[] all = pools;
                return pool.id() < all.length ? pool.id() : register(pool);
            }
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Destroys a pool and frees its pages (for a shared pool: gives back one reference, destroying it with the
     * last).
     *
     * @param poolId a live pool.
     * @throws IllegalArgumentException if the pool is unknown or destroyed.
     */
    public void destroyPool(final int poolId)
    {
        gate.enter();
        try
        {
            final ZcachePool pool = pool(poolId);
            synchronized (poolsLock)
            {
                tmem.destroyPool(poolId, pool.freer);
            }
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Stores a page, replacing any page at that key.
     *
     * @param poolId a live pool.
     * @param oidA   object id, first 64 bits.
     * @param oidB   object id, second 64 bits.
     * @param oidC   object id, third 64 bits.
     * @param index  page index, ≥ 0.
     * @param page   exactly the pool's page size of bytes; native or heap, may be read-only.
     * @return {@link #STORED}, or a negative reason: {@link #NO_MEMORY}, {@link #POOR_COMPRESSION}. On failure any
     * older copy of the page is dropped.
     * @throws IllegalArgumentException on an unknown or destroyed pool, a wrong-sized page, an invalid object id or
     *                                  a negative index.
     * @throws IllegalStateException    after {@link #close()}.
     */
    public int put(final int poolId, final long oidA, final long oidB, final long oidC, final int index,
        final MemorySegment page)
    {
        gate.enter();
        try
        {
            final ZcachePool pool = pool(poolId);
            final int pageSize = pool.pageSize;
            checkPage(page, pageSize, false);
            checkKey(oidA, oidB, oidC, index);
            events.puts.increment();
            if (SameFilledPage.isSameFilled(page, 0, pageSize))
            {
                final long value = PageValue.sameFilled(SameFilledPage.word(page, 0, pageSize));
                if (value != TmemPool.EMPTY)
                {
                    events.sameFilled.increment();
                    pool.sameFilledPages.increment();
                    return link(pool, oidA, oidB, oidC, index, value, false);
                }
            }
            final long value;
            try (CompressorSlot slot = compressors.acquire())
            {
                MemorySegment source = page;
                if (!page.isNative())
                {
                    MemorySegment.copy(page, 0, slot.scratch(), 0, pageSize);
                    source = slot.scratch();
                }
                final int compressed = slot.compress(source, 0, pageSize);
                value = admit(pool, compressed) ? store(pool, slot, compressed, source) : POOR_COMPRESSION;
            }
            if (value < 0)
            {
                (value == NO_MEMORY ? events.failedNoMemory : events.failedPoorCompression).increment();
                final long stale = pool.index.take(oidA, oidB, oidC, index);
                if (stale != TmemPool.EMPTY)
                {
                    free(pool, stale);
                }
                return (int)value;
            }
            return link(pool, oidA, oidB, oidC, index, value, !pool.persistent);
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Reads a page. A hit in an ephemeral pool (or any pool with exclusive gets) removes the page.
     *
     * @param poolId a live pool.
     * @param oidA   object id, first 64 bits.
     * @param oidB   object id, second 64 bits.
     * @param oidC   object id, third 64 bits.
     * @param index  page index, ≥ 0.
     * @param dst    writable, exactly the pool's page size; filled on a hit, untouched on a miss.
     * @return whether the page was there.
     * @throws CorruptPageException     if the stored page is damaged (it is dropped).
     * @throws IllegalArgumentException on an unknown or destroyed pool, a wrong-sized or read-only buffer, an
     *                                  invalid object id or a negative index.
     * @throws IllegalStateException    after {@link #close()}.
     */
    public boolean get(final int poolId, final long oidA, final long oidB, final long oidC, final int index,
        final MemorySegment dst)
    {
        gate.enter();
        try
        {
            final ZcachePool pool = pool(poolId);
            checkPage(dst, pool.pageSize, true);
            checkKey(oidA, oidB, oidC, index);
            events.gets.increment();
            final boolean hit = pool.exclusiveGets ? getExclusive(pool, oidA, oidB, oidC, index, dst) :
                getShared(pool, oidA, oidB, oidC, index, dst);
            (hit ? events.getHits : events.getMisses).increment();
            return hit;
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Removes a page.
     *
     * @return whether there was one.
     * @throws IllegalArgumentException on an unknown or destroyed pool, an invalid object id or a negative index.
     */
    public boolean flushPage(final int poolId, final long oidA, final long oidB, final long oidC, final int index)
    {
        gate.enter();
        try
        {
            final ZcachePool pool = pool(poolId);
            events.flushPages.increment();
            final long value = pool.index.take(oidA, oidB, oidC, index);
            if (value == TmemPool.EMPTY)
            {
                return false;
            }
            free(pool, value);
            events.flushPagesFound.increment();
            return true;
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Removes an object and all its pages.
     *
     * @return the number of pages removed.
     * @throws IllegalArgumentException on an unknown or destroyed pool or an invalid object id.
     */
    public int flushObject(final int poolId, final long oidA, final long oidB, final long oidC)
    {
        gate.enter();
        try
        {
            final ZcachePool pool = pool(poolId);
            events.flushObjects.increment();
            final int pages = pool.index.takeObject(oidA, oidB, oidC, pool.freer);
            events.flushObjectPages.add(pages);
            return pages;
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Asks the allocator to move objects into fewer pages.
     *
     * @return pages given back to the page memory.
     */
    public long compact()
    {
        gate.enter();
        try
        {
            checkOpen();
            return allocator.compact();
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Changes the memory budget. Lowering it below what is in use evicts ephemeral pages, oldest first, until the
     * pages in use fit or none is left, then compacts; persistent pages stay, and persistent puts fail until
     * enough is freed.
     *
     * @param bytes the new budget, ≥ 0.
     */
    public void budgetBytes(final long bytes)
    {
        gate.enter();
        try
        {
            checkOpen();
            memory.budgetBytes(bytes);
            overBudget = true;
            shrinkToBudget();
            allocator.compact();
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * @return the memory budget in bytes.
     */
    public long budgetBytes()
    {
        return memory.budgetBytes();
    }

    /**
     * @return the allocator's name.
     */
    public String allocatorName()
    {
        return allocator.name();
    }

    /**
     * For inspection only, e.g. zsmalloc's per-class table in {@code ./tmem4j study --classes}: the engine owns the
     * allocator, so callers must not allocate, write, free, compact or close through it.
     *
     * @return the allocator holding the compressed pages.
     */
    public ObjectAllocator allocator()
    {
        return allocator;
    }

    /**
     * @return the codec every compressor slot runs.
     */
    public CodecSpec codec()
    {
        return codec;
    }

    /**
     * @return a snapshot of the counters, levels and per-pool rows.
     */
    public ZcacheStats stats()
    {
        gate.enter();
        try
        {
            checkOpen();
            final List<ZcachePoolStats> rows = new ArrayList<>();
            long pages = 0;
            long sameFilledPages = 0;
            long compressedBytes = 0;
            long metadataBytes = 0;
            for (final ZcachePool pool : pools)
            {
                if (!pool.index.isDestroyed())
                {
                    final ZcachePoolStats row = pool.stats();
                    rows.add(row);
                    pages += row.pages();
                    sameFilledPages += row.sameFilledPages();
                    compressedBytes += row.compressedBytes();
                    metadataBytes += row.metadataBytes();
                }
            }
            final AllocatorStats allocatorStats = allocator.stats();
            final PageMemoryStats memoryStats = memory.stats();
            final ZcacheEvents e = events;
            return new ZcacheStats(e.puts.sum(), e.putsStored.sum(), e.sameFilled.sum(), e.failedNoMemory.sum(),
                e.failedPoorCompression.sum(), e.compressPoor.sum(), e.meanCompressPoor.sum(),
                e.persistentAteEphemeral.sum(), e.gets.sum(), e.getHits.sum(), e.getMisses.sum(), e.corruptPages.sum(),
                e.flushPages.sum(), e.flushPagesFound.sum(), e.flushObjects.sum(), e.flushObjectPages.sum(),
                e.evictions.sum(), pages, sameFilledPages, compressedBytes, allocatorStats.pagesUsed(),
                allocatorStats.poolBytes(), metadataBytes, memoryStats.budgetBytes(), rows, allocatorStats, memoryStats);
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * @return the counters as a source of kind {@code engine} named after this backend (see
     * {@link Builder#name(String)}), for {@link org.tmem4j.stats.CounterRegistry}: JMX and the counters file.
     */
    public CounterSource counters()
    {
        final ZcacheEvents e = events;
        return CounterSource.builder("engine", name)
            .counter("puts", e.puts::sum)
            .counter("puts_stored", e.putsStored::sum)
            .counter("same_filled", e.sameFilled::sum)
            .counter("failed_puts_no_memory", e.failedNoMemory::sum)
            .counter("failed_puts_poor_compression", e.failedPoorCompression::sum)
            .counter("compress_poor", e.compressPoor::sum)
            .counter("mean_compress_poor", e.meanCompressPoor::sum)
            .counter("pers_ate_eph", e.persistentAteEphemeral::sum)
            .counter("gets", e.gets::sum)
            .counter("get_hits", e.getHits::sum)
            .counter("get_misses", e.getMisses::sum)
            .counter("corrupt_pages", e.corruptPages::sum)
            .counter("flush_pages", e.flushPages::sum)
            .counter("flush_pages_found", e.flushPagesFound::sum)
            .counter("flush_objects", e.flushObjects::sum)
            .counter("flush_object_pages", e.flushObjectPages::sum)
            .counter("evictions", e.evictions::sum)
            .counter("stored_pages", () -> sumOverPools(true))
            .counter("compressed_bytes", () -> sumOverPools(false))
            .counter("pool_pages", () -> gate.isClosed() ? 0 : allocator.stats().pagesUsed())
            .counter("budget_bytes", () -> gate.isClosed() ? 0 : memory.budgetBytes())
            .build();
    }

    /**
     * Refuses new operations, waits for those in flight (a codec may be reading pool memory in native code), then
     * destroys every pool and releases the allocator, the compressor contexts and the page memory. Idempotent; any
     * other call afterwards throws {@link IllegalStateException}.
     */
    @Override
    public void close()
    {
        if (!gate.close())
        {
            return;
        }
        synchronized (poolsLock)
        {
            for (final ZcachePool pool : pools)
            {
                while (!pool.index.isDestroyed())
                {
                    tmem.destroyPool(pool.index.id(), pool.freer);
                }
            }
            compressors.close();
            allocator.close();
            memory.close();
        }
    }

    @Override
    public String toString()
    {
        return "Zcache[" + name + ", " + allocator.name() + ", " + codec + (checksum ? ", checksum" : "") + "]";
    }

    /**
     * For corruption tests: the allocator's read-only view of a stored compressed page, which a test reinterprets
     * to damage the bytes behind it.
     *
     * @return the view, or {@code null} if the page is absent, same-filled or spanned.
     */
    MemorySegment storedView(final int poolId, final long a, final long b, final long c, final int index)
    {
        final MemorySegment[] view = new MemorySegment[1];
        pool(poolId).index.read(a, b, c, index, (value, out) ->
        {
            if (!PageValue.isSameFilled(value) && !PageValue.isSpanned(value))
            {
                out[0] = allocator.view(value, Arena.ofAuto().allocate(ObjectAllocator.MAX_OBJECT_SIZE));
            }
        }, view);
        return view[0];
    }

    private int register(final TmemPool index)
    {
        final ZcachePool[] all = Arrays.copyOf(pools, index.id() + 1);
        all[index.id()] = new ZcachePool(index, exclusiveGets, freeAction);
        pools = all;
        return index.id();
    }

    private boolean admit(final ZcachePool pool, final int compressed)
    {
        // no page compresses to 0 bytes: a codec answering 0 failed, and storing its empty block would lose the page
        if (compressed <= 0 || compressed > pool.maxCompressedLength)
        {
            events.compressPoor.increment();
            return false;
        }
        if (pool.persistent && compressed > pool.meanCompressedLimit)
        {
            final long pages = events.persistentCompressedPages.sum();
            if (pages > 0 && events.persistentCompressedBytes.sum() / pages > pool.meanCompressedLimit)
            {
                events.meanCompressPoor.increment();
                return false;
            }
        }
        return true;
    }

    /**
     * Copies the compressed page (and its checksum) out of the slot into allocator memory. The checksum covers the
     * page itself, not its compressed form: checked after decompression, it catches damage to the stored bytes and a
     * codec that compressed or decompressed wrongly alike.
     *
     * @return the page's value, or {@link #NO_MEMORY}.
     */
    private long store(final ZcachePool pool, final CompressorSlot slot, final int compressed,
        final MemorySegment page)
    {
        final MemorySegment output = slot.output();
        if (checksum)
        {
            output.set(STORED_INT, compressed, PageChecksum.of(page, 0, pool.pageSize));
        }
        final int length = compressed + checksumBytes;
        final long value;
        if (length <= largestObject)
        {
            value = allocate(pool, length);
            if (value > 0)
            {
                allocator.write(value, output, 0);
            }
        }
        else
        {
            value = storeSpanned(pool, output, length, slot.scratch());
        }
        if (value > 0)
        {
            final long bytes = PageValue.isSpanned(value) ? storedBytes(value) : length;
            pool.compressedBytes.add(bytes);
            if (pool.persistent)
            {
                events.persistentCompressedBytes.add(bytes);
                events.persistentCompressedPages.increment();
            }
        }
        return value;
    }

    private long storeSpanned(final ZcachePool pool, final MemorySegment output, final int length,
        final MemorySegment directory)
    {
        final int parts = (length + largestObject - 1) / largestObject;
        final long dir = allocate(pool, parts * Long.BYTES);
        if (dir < 0)
        {
            return dir;
        }
        for (int i = 0; i < parts; i++)
        {
            final int offset = i * largestObject;
            final long part = allocate(pool, Math.min(largestObject, length - offset));
            if (part < 0)
            {
                for (int j = 0; j < i; j++)
                {
                    allocator.free(directory.get(STORED_LONG, (long)j * Long.BYTES));
                }
                allocator.free(dir);
                return part;
            }
            allocator.write(part, output, offset);
            directory.set(STORED_LONG, (long)i * Long.BYTES, part);
        }
        allocator.write(dir, directory, 0);
        return dir | PageValue.SPAN;
    }

    /**
     * Allocates, evicting the oldest ephemeral pages while the budget is full.
     *
     * @return a handle, or {@link #NO_MEMORY}.
     */
    private long allocate(final ZcachePool pool, final int size)
    {
        if (overBudget && !shrinkToBudget())
        {
            return NO_MEMORY;
        }
        while (true)
        {
            final long handle = allocator.allocate(size);
            if (handle > 0)
            {
                if (handle >= PageValue.SPAN)
                {
                    allocator.free(handle);
                    throw new IllegalStateException("allocator " + allocator.name() + " returned handle " + handle +
                        "; zcache needs handles below 2^62");
                }
                return handle;
            }
            if (handle != ObjectAllocator.NO_MEMORY)
            {
                throw new IllegalStateException("allocator " + allocator.name() + " refused " + size +
                    " bytes although its largest object is " + largestObject);
            }
            if (!tmem.evictOldest(evictionSink))
            {
                return NO_MEMORY;
            }
            if (pool.persistent)
            {
                events.persistentAteEphemeral.increment();
            }
        }
    }

    /**
     * Evicts ephemeral pages, oldest first, until the pages in use fit the budget.
     *
     * @return whether they fit.
     */
    private boolean shrinkToBudget()
    {
        while (memory.stats().bytesInUse() > memory.budgetBytes())
        {
            if (!tmem.evictOldest(evictionSink))
            {
                return false;
            }
        }
        overBudget = false;
        return true;
    }

    private int link(final ZcachePool pool, final long a, final long b, final long c, final int index,
        final long value, final boolean evictable)
    {
        final long old;
        try
        {
            old = pool.index.put(a, b, c, index, value, evictable);
        }
        catch (final RuntimeException ex)
        {
            free(pool, value);
            throw ex;
        }
        if (old != TmemPool.EMPTY)
        {
            free(pool, old);
        }
        events.putsStored.increment();
        return STORED;
    }

    private boolean getExclusive(final ZcachePool pool, final long a, final long b, final long c, final int index,
        final MemorySegment dst)
    {
        final long value = pool.index.take(a, b, c, index);
        if (value == TmemPool.EMPTY)
        {
            return false;
        }
        try
        {
            if (PageValue.isSameFilled(value))
            {
                SameFilledPage.fill(dst, 0, pool.pageSize, PageValue.word(value));
                return true;
            }
            try (CompressorSlot slot = compressors.acquire())
            {
                decompress(value, slot, dst, pool.pageSize);
            }
            return true;
        }
        catch (final CorruptDataException ex)
        {
            throw corrupt(pool, a, b, c, index, ex);
        }
        finally
        {
            free(pool, value);
        }
    }

    private boolean getShared(final ZcachePool pool, final long a, final long b, final long c, final int index,
        final MemorySegment dst)
    {
        try (CompressorSlot slot = compressors.acquire())
        {
            final ReadContext context = readContexts[slot.index()];
            context.slot = slot;
            context.dst = dst;
            context.pageSize = pool.pageSize;
            context.value = TmemPool.EMPTY;
            try
            {
                return pool.index.read(a, b, c, index, reader, context);
            }
            catch (final CorruptDataException ex)
            {
                if (pool.index.takeIf(a, b, c, index, context.value))
                {
                    free(pool, context.value);
                }
                throw corrupt(pool, a, b, c, index, ex);
            }
            finally
            {
                context.slot = null;
                context.dst = null;
            }
        }
    }

    private void readUnderLock(final long value, final ReadContext context)
    {
        context.value = value;
        if (PageValue.isSameFilled(value))
        {
            SameFilledPage.fill(context.dst, 0, context.pageSize, PageValue.word(value));
        }
        else
        {
            decompress(value, context.slot, context.dst, context.pageSize);
        }
    }

    /**
     * Decompresses a stored page into {@code dst}, verifying the page against its checksum when checksums are on.
     *
     * @throws CorruptDataException if the checksum or the compressed form is wrong.
     */
    private void decompress(final long value, final CompressorSlot slot, final MemorySegment dst, final int pageSize)
    {
        final MemorySegment compressed;
        final int length;
        if (PageValue.isSpanned(value))
        {
            length = gather(PageValue.handle(value), slot.output(), slot.scratch());
            compressed = slot.scratch();
        }
        else
        {
            final MemorySegment view = allocator.view(value, slot.scratch());
            length = (int)view.byteSize();
            // a view copied into scratch is read through scratch itself: the codec keeps one buffer per segment it
            // sees, and a fresh slice per get would cost a new one every time
            compressed = view.address() == slot.scratch().address() ? slot.scratch() : view;
        }
        final int payload = length - checksumBytes;
        // a checked page is decompressed aside, so a mismatch leaves dst untouched
        final MemorySegment target = dst.isNative() && !checksum ? dst : slot.output();
        slot.codec().decompress(compressed, 0, payload, target, 0, pageSize);
        if (checksum)
        {
            final int stored = compressed.get(STORED_INT, payload);
            final int actual = PageChecksum.of(target, 0, pageSize);
            if (stored != actual)
            {
                throw new CorruptDataException(String.format(
                    "checksum mismatch over the %d-byte page: stored %08x, computed %08x", pageSize, stored, actual));
            }
        }
        if (target != dst)
        {
            MemorySegment.copy(target, 0, dst, 0, pageSize);
        }
    }

    /**
     * Reads a spanned page's parts, in order, into {@code into}; the directory passes through {@code directory}.
     *
     * @return the total length.
     */
    private int gather(final long dir, final MemorySegment directory, final MemorySegment into)
    {
        final int parts = allocator.size(dir) / Long.BYTES;
        allocator.read(dir, directory, 0);
        int length = 0;
        for (int i = 0; i < parts; i++)
        {
            final long part = directory.get(STORED_LONG, (long)i * Long.BYTES);
            allocator.read(part, into, length);
            length += allocator.size(part);
        }
        return length;
    }

    private CorruptPageException corrupt(final ZcachePool pool, final long a, final long b, final long c,
        final int index, final CorruptDataException cause)
    {
        events.corruptPages.increment();
        return new CorruptPageException("page " + index + " of object " + new ObjectId(a, b, c) + " in pool " +
            pool.index.id() + " is corrupt and was dropped: " + cause.getMessage(), cause);
    }

    private void evicted(final TmemPool index, final long value)
    {
        events.evictions.increment();
        free(pools[index.id()], value);
    }

    /**
     * Frees a value taken out of a pool, with its accounting.
     */
    private void free(final ZcachePool pool, final long value)
    {
        if (PageValue.isSameFilled(value))
        {
            pool.sameFilledPages.decrement();
            return;
        }
        final long bytes = storedBytes(value);
        if (PageValue.isSpanned(value))
        {
            for (final long part : directory(PageValue.handle(value)))
            {
                allocator.free(part);
            }
        }
        allocator.free(PageValue.handle(value));
        pool.compressedBytes.add(-bytes);
        if (pool.persistent)
        {
            events.persistentCompressedBytes.add(-bytes);
            events.persistentCompressedPages.decrement();
        }
    }

    /**
     * @return bytes of allocator objects a stored value holds.
     */
    private long storedBytes(final long value)
    {
        final long handle = PageValue.handle(value);
        long bytes = allocator.size(handle);
        if (PageValue.isSpanned(value))
        {
            for (final long part : directory(handle))
            {
                bytes += allocator.size(part);
            }
        }
        return bytes;
    }

    /**
     * @return the part handles a span directory lists (large pages only, off the hot path of 4 KiB pages).
     */
    private long[] directory(final long dir)
    {
        final long[] parts = new long[allocator.size(dir) / Long.BYTES];
        allocator.read(dir, MemorySegment.ofArray(parts), 0);
        return parts;
    }

    private long sumOverPools(final boolean pages)
    {
        long sum = 0;
        for (final ZcachePool pool : pools)
        {
            if (!pool.index.isDestroyed())
            {
                sum += pages ? pool.index.stats().pages() : pool.compressedBytes.sum();
            }
        }
        return sum;
    }

    private ZcachePool pool(final int poolId)
    {
        checkOpen();
        final ZcachePool[] all = pools;
        if (poolId < 0 || poolId >= all.length)
        {
            throw new IllegalArgumentException("unknown pool " + poolId + "; pools created so far: " +
                (all.length == 0 ? "none" : "0 to " + (all.length - 1)));
        }
        final ZcachePool pool = all[poolId];
        if (pool.index.isDestroyed())
        {
            throw new IllegalArgumentException("pool " + poolId + " is destroyed");
        }
        return pool;
    }

    private void checkOpen()
    {
        if (gate.isClosed())
        {
            throw new IllegalStateException("zcache " + name + " is closed");
        }
    }

    private static void checkPage(final MemorySegment page, final int pageSize, final boolean writable)
    {
        if (page == null)
        {
            throw new IllegalArgumentException("page buffer is null; pass a segment of exactly " + pageSize +
                " bytes");
        }
        if (page.byteSize() != pageSize)
        {
            throw new IllegalArgumentException("page buffer must be exactly the pool's page size, " + pageSize +
                " bytes, was " + page.byteSize());
        }
        if (writable && page.isReadOnly())
        {
            throw new IllegalArgumentException("get needs a writable buffer; this one is read-only");
        }
    }

    private static void checkKey(final long a, final long b, final long c, final int index)
    {
        ObjectId.check(a, b, c);
        if (index < 0)
        {
            throw new IllegalArgumentException("page index must be >= 0 (0 to 2147483647), was " + index);
        }
    }

    /**
     * The per-slot arguments of a get that decompresses under the bucket lock. One per compressor slot: the slot
     * held by a thread makes its context exclusive too, so a get allocates nothing.
     */
    private static final class ReadContext
    {
        CompressorSlot slot;
        MemorySegment dst;
        int pageSize;
        long value;
    }

    /**
     * Settings of a {@link Zcache}.
     */
    public static final class Builder
    {
        private String name = "zcache";
        private String allocatorName = "zsmalloc";
        private CodecSpec codec = CodecSpec.lz4();
        private Supplier<? extends Codec> codecFactory;
        private long budgetBytes = 256L << 20;
        private int buckets = Tmem.DEFAULT_BUCKETS;
        private boolean exclusiveGets;
        private boolean checksum;
        private int compressorSlots = Runtime.getRuntime().availableProcessors();
        private CompactionPolicy compaction = CompactionPolicy.DEFAULT;

        private Builder()
        {
        }

        /**
         * @param name the name counters are published under (kind {@code engine}); default {@code zcache}.
         * @return this.
         */
        public Builder name(final String name)
        {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * @param allocatorName an allocator found through {@link AllocatorProvider}, e.g. {@code zsmalloc} (the
         *                      default) or {@code zbud}.
         * @return this.
         */
        public Builder allocator(final String allocatorName)
        {
            this.allocatorName = Objects.requireNonNull(allocatorName, "allocatorName");
            return this;
        }

        /**
         * @param codec the codec; default LZ4.
         * @return this.
         */
        public Builder codec(final CodecSpec codec)
        {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * @param codec a codec spec as {@link CodecSpec#parse(String)} reads it: {@code lz4}, {@code zstd},
         *              {@code zstd:3}, {@code zstd:-5}.
         * @return this.
         */
        public Builder codec(final String codec)
        {
            return codec(CodecSpec.parse(codec));
        }

        /**
         * Replaces the codec the spec would build with codecs of the caller's making, one per compressor slot (a
         * codec of the application's own, or a test's fault-injecting wrapper). {@link Zcache#codec()} still
         * reports the spec, which should name what the factory builds.
         *
         * @param codecs makes one codec per compressor slot, at {@link #build()}.
         * @return this.
         */
        public Builder codecFactory(final Supplier<? extends Codec> codecs)
        {
            this.codecFactory = Objects.requireNonNull(codecs, "codecs");
            return this;
        }

        /**
         * @param budgetBytes the hard limit on memory for compressed pages; default 256 MiB.
         * @return this.
         */
        public Builder budgetBytes(final long budgetBytes)
        {
            if (budgetBytes < 0)
            {
                throw new IllegalArgumentException("budgetBytes must be >= 0, was " + budgetBytes);
            }
            this.budgetBytes = budgetBytes;
            return this;
        }

        /**
         * @param buckets hash buckets (lock stripes) per pool, a power of two from 1 to 65536; default 256.
         * @return this.
         */
        public Builder buckets(final int buckets)
        {
            new Tmem(buckets);
            this.buckets = buckets;
            return this;
        }

        /**
         * @param exclusiveGets whether a get from a persistent pool removes the page (frontswap's exclusive gets);
         *                      default false. Ephemeral gets are always exclusive.
         * @return this.
         */
        public Builder exclusiveGets(final boolean exclusiveGets)
        {
            this.exclusiveGets = exclusiveGets;
            return this;
        }

        /**
         * @param checksum whether to store an xxHash32 with each compressed page and verify it on get; default
         *                 false.
         * @return this.
         */
        public Builder checksum(final boolean checksum)
        {
            this.checksum = checksum;
            return this;
        }

        /**
         * @param compressorSlots compression contexts shared by all threads, 1 to
         *                        {@value CompressorPool#MAX_SLOTS}; default one per available processor.
         * @return this.
         */
        public Builder compressorSlots(final int compressorSlots)
        {
            if (compressorSlots < 1 || compressorSlots > CompressorPool.MAX_SLOTS)
            {
                throw new IllegalArgumentException("compressorSlots must be 1 to " + CompressorPool.MAX_SLOTS +
                    ", was " + compressorSlots);
            }
            this.compressorSlots = compressorSlots;
            return this;
        }

        /**
         * @param compaction when the allocator compacts by itself (allocators that move objects, i.e. zsmalloc);
         *                   default {@link CompactionPolicy#DEFAULT}, {@link CompactionPolicy#OFF} for explicit
         *                   {@link Zcache#compact()} calls only.
         * @return this.
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
         * @return the backend.
         * @throws IllegalArgumentException if the allocator name is unknown (the message lists the known ones).
         */
        public Zcache build()
        {
            final AllocatorProvider provider = AllocatorProvider.named(allocatorName);
            final PageMemory memory = PageMemory.withBudget(budgetBytes);
            ObjectAllocator allocator = null;
            try
            {
                allocator = provider.create(memory, compaction);
                final CompressorPool compressors = CompressorPool.create(
                    codecFactory == null ? codec::newCodec : codecFactory, compressorSlots,
                    CompressorPool.MAX_PAGE_SIZE, CompressorPool.SlotSelection.CPU);
                return new Zcache(this, allocator, memory, compressors);
            }
            catch (final RuntimeException | Error ex)
            {
                if (allocator != null)
                {
                    allocator.close();
                }
                memory.close();
                throw ex;
            }
        }
    }
}
