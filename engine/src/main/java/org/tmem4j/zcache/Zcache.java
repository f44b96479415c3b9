package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
import org.tmem4j.codec.ZstdDictionary;
import org.tmem4j.concurrent.DrainGate;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.memory.PageMemoryStats;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.tmem.Buckets;
import org.tmem4j.tmem.ColdPageSink;
import org.tmem4j.tmem.EvictedPageSink;
import org.tmem4j.tmem.ObjectId;
import org.tmem4j.tmem.PageSizes;
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
 *         persistent:                     pin the value under the bucket lock, decompress outside it, unpin
 *                                         (a page removed meanwhile is freed by the get, see {@link ReadPins})
 * </pre>
 * <b>Admission policy</b> (zcache2's): a page compressing to more than 7/8 of a page is refused in both pool kinds
 * ({@code compress_poor}); a persistent page above 5/8 is also refused while the mean compressed size of persistent
 * pages is above 5/8 ({@code mean_compress_poor}). By default refused pages are not stored raw: a cache gains
 * nothing from a page it cannot shrink, and frontswap keeps the page on its backing device. With
 * {@link Builder#rawIncompressible(boolean)} a page above 7/8 is kept uncompressed while the budget has room for it
 * without evicting anything, which spares frontswap a write to its file. A failed put also drops any older
 * copy of the page, so a get never returns stale data.
 * <p>
 * <b>Budget.</b> The allocator takes pages from one page memory. When it is full, a put evicts ephemeral pages, the
 * least recently put first (each pool keeps per-bucket lists; {@link Tmem} samples them), until the allocation
 * succeeds: the one eviction path, which knows pools and their kinds, over any allocator. A persistent put may take room from ephemeral
 * pages but never evicts a persistent page: with no ephemeral page left it fails with {@link #NO_MEMORY}.
 * <p>
 * <b>Lower tiers</b> (optional, {@link Builder#lowerTiers}): places below zcache, such as ramster's Redis and
 * frontswap's swap file. With tiers, persistent pools keep their pages in put order too, and a full budget moves the
 * coldest pages down, ephemeral ones first, then persistent ones: each is handed to the first tier that takes it,
 * compressed by the engine's codec alone (as stored, or, for a page compressed with its pool's dictionary or
 * recompressed with a codec the engine's cannot read, compressed again so that no tier needs this engine's
 * dictionaries), while it stays readable locally, and freed only after the tier took it; a persistent page no
 * tier takes stays. A put that finds nothing to move hands the new page down instead of failing, and from then on
 * puts go straight down until the pages in use fall under the accept threshold (see {@link TierLink}). A local miss
 * looks below. Puts, flushes and pool destruction tell the tiers, so a page below never outlives its key's last put.
 * Without tiers, persistent pages are never evicted.
 * <p>
 * <b>Stored form.</b> {@link StoredPages} maps a page's value to allocator objects and back: large pages (8 to
 * 64 KiB) whose compressed form exceeds the allocator's largest object are stored as parts with a span directory.
 * <p>
 * <b>Checksums</b> (optional): an xxHash32 of the page follows its compressed bytes; a get verifies it after
 * decompressing, and a mismatch or a codec error drops the page, counts it in {@code corrupt_pages} and throws
 * {@link CorruptPageException} — never wrong bytes.
 * <p>
 * <b>Threads.</b> All methods are thread-safe. Puts and gets take one bucket lock of their pool and no global lock;
 * compression, decompression and allocation happen outside bucket locks, which are held only to look up or link a
 * value.
 */
public final class Zcache implements AutoCloseable
{
    /** {@link #put}: the page is stored. */
    public static final int STORED = 0;
    /** {@link #put}: no memory within the budget (and, for ephemeral room, nothing left to evict). */
    public static final int NO_MEMORY = -1;
    /** {@link #put}: the page compresses too poorly to be admitted (see the admission policy). */
    public static final int POOR_COMPRESSION = -2;
    /** {@link #getCompressed}: the page is not there. */
    public static final int MISS = -1;
    /** {@link Builder#recompressIdleMs(long)}'s default: one minute. */
    public static final long DEFAULT_RECOMPRESS_IDLE_MS = 60_000;
    /** {@link Builder#recompressMinSavedBytes(int)}'s default. */
    public static final int DEFAULT_RECOMPRESS_MIN_SAVED_BYTES = 32;
    /** {@link Builder#recompressIntervalMs(long)}'s default: one second. */
    public static final long DEFAULT_RECOMPRESS_INTERVAL_MS = 1_000;
    /**
     * {@link Builder#dictionaryBytes(int)}'s default: 128 KiB (against 64 KiB: live JVM memory and the JDK's files
     * ×1.05 smaller instead of ×1.02–1.04 than plain zstd, database pages ×1.30 instead of ×1.28; README, round 7).
     */
    public static final int DEFAULT_DICTIONARY_BYTES = 128 << 10;
    /** {@link Builder#dictionaryBytes(int)}'s largest value: 1 MiB. */
    public static final int MAX_DICTIONARY_BYTES = 1 << 20;
    /** {@link Builder#dictionarySampleBytes(int)}'s default: 2 MiB. */
    public static final int DEFAULT_DICTIONARY_SAMPLE_BYTES = 2 << 20;
    /** {@link Builder#dictionarySampleBytes(int)}'s smallest value: 64 KiB. */
    public static final int MIN_DICTIONARY_SAMPLE_BYTES = 64 << 10;
    /** {@link Builder#dictionarySampleBytes(int)}'s largest value: 256 MiB. */
    public static final int MAX_DICTIONARY_SAMPLE_BYTES = 256 << 20;

    /** Pages {@link #freeColdest} tries to move down before it gives up (each one it cannot move goes back). */
    private static final int MOVE_ATTEMPTS = 8;
    private static final System.Logger LOGGER = System.getLogger(Zcache.class.getName());

    private final String name;
    private final Tmem tmem;
    private final PageMemory memory;
    private final ObjectAllocator allocator;
    private final CompressorPool compressors;
    private final CodecSpec codec;
    private final boolean checksum;
    private final boolean exclusiveGets;
    private final boolean rawIncompressible;
    private final ZcacheEvents events = new ZcacheEvents();
    private final StoredPages stored;
    /** Null when every page is compressed by the one codec (pages then carry no {@link PageHeader}). */
    private final PageCodecs codecs;
    /** The recompression codec, or null. */
    private final CodecSpec recompress;
    /** Its passes, one at a time (this object's monitor), or null. */
    private final Recompression recompression;
    /** Moves pages of superseded dictionaries to their pool's current one (codec {@code +dict}), or null. */
    private final DictionaryMigration migration;
    /** Whether a migration pass that moved pages compacts: unless the allocator's policy says explicit calls only. */
    private final boolean compactAfterMigration;
    /** Runs a pass every interval, or null. */
    private final ScheduledExecutorService recompressionAgent;
    /** The compressor slots' indexes as the contexts of {@link #reader}: read-only, so gets share no written line. */
    private final ReadSlot[] readSlots;
    private final PageReader<ReadSlot> reader = this::pinUnderLock;
    private final EvictedPageSink evictionSink = this::evicted;
    private final PageReader<CopyContext> copier = this::copyUnderLock;
    private final Object poolsLock = new Object();
    private volatile ZcachePool[] pools = new ZcachePool[0];
    private final DrainGate gate = new DrainGate();
    private final TierLink tier;
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
        this.tier = new TierLink(builder.lowerTiers, memory, builder.acceptThresholdPercent);
        // the coldest-fraction rule reads persistent pools' put order too
        this.tmem = new Tmem(builder.buckets, tier.isConfigured() || builder.recompressColdestFraction > 0);
        this.memory = memory;
        this.allocator = allocator;
        this.compressors = compressors;
        this.codec = builder.codec;
        this.checksum = builder.checksum;
        this.exclusiveGets = builder.exclusiveGets;
        this.rawIncompressible = builder.rawIncompressible;
        this.codecs = builder.codec.dictionary() || builder.recompress != null ? new PageCodecs(builder.codec,
            builder.recompress, builder.recompressColdestFraction > 0 ? 0 :
            TimeUnit.MILLISECONDS.toNanos(builder.recompressIdleMs), compressors.capacity(),
            builder.dictionaryBytes, builder.dictionarySampleBytes, builder.name, tier.isConfigured(),
            builder.dictionaryMigration ? this::migrateDictionaries : null) : null;
        this.stored = new StoredPages(allocator, codecs, checksum, events, this::makeRoom, compressors.capacity());
        this.recompress = builder.recompress;
        this.recompression = recompress == null ? null :
            new Recompression(stored, codecs, compressors, events, builder.recompressMinSavedBytes,
                builder.recompressColdestFraction, this::hasRoom);
        this.migration = builder.codec.dictionary() && builder.dictionaryMigration ?
            new DictionaryMigration(stored, codecs, compressors, this::hasRoom) : null;
        this.compactAfterMigration = builder.compaction.enabled();
        this.recompressionAgent = recompress == null || builder.recompressIntervalMs == 0 ? null :
            Executors.newSingleThreadScheduledExecutor(task ->
            {
                final Thread thread = new Thread(task, "tmem4j-" + name + "-recompress");
                thread.setDaemon(true);
                return thread;
            });
        if (recompressionAgent != null)
        {
            recompressionAgent.scheduleWithFixedDelay(this::recompressInBackground, builder.recompressIntervalMs,
                builder.recompressIntervalMs, TimeUnit.MILLISECONDS);
        }
        this.readSlots = new ReadSlot[compressors.capacity()];
        for (int i = 0; i < readSlots.length; i++)
        {
            readSlots[i] = new ReadSlot(i);
        }
    }

    /**
     * {@return a builder with the defaults: zsmalloc, LZ4, 256 MiB, 256 buckets, no checksum, shared gets, one
     * compressor slot per available processor}
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Creates a private pool.
     *
     * @param kind     ephemeral or persistent.
     * @param pageSize bytes per page, as {@link PageSizes} allows.
     * @return the new pool's id, ≥ 0 (a destroyed pool's id comes back only after 2047 more reuses of its slot; see
     * {@link Tmem}).
     */
    public int createPool(final PoolKind kind, final int pageSize)
    {
        enter();
        try
        {
            checkOpen();
            requireArgument(kind, "kind");
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
     * @param pageSize bytes per page, as {@link PageSizes} allows.
     * @return the pool id.
     * @throws IllegalArgumentException if a pool of that uuid exists with another kind or page size.
     */
    public int createSharedPool(final PoolKind kind, final long uuidHi, final long uuidLo, final int pageSize)
    {
        enter();
        try
        {
            checkOpen();
            requireArgument(kind, "kind");
            synchronized (poolsLock)
            {
                final TmemPool pool = tmem.createSharedPool(kind, uuidHi, uuidLo, pageSize);
                final ZcachePool[] all = pools;
                final int slot = Tmem.slotOf(pool.id());
                return slot < all.length && all[slot].index == pool ? pool.id() : register(pool);
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
        enter();
        try
        {
            final ZcachePool pool = pool(poolId);
            synchronized (poolsLock)
            {
                tmem.destroyPool(poolId, pool.freer);
            }
            if (pool.index.isDestroyed())
            {
                tier.destroyPool(pool.index);
                if (codecs != null)
                {
                    codecs.poolDestroyed(pool);
                }
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
        enter();
        try
        {
            final ZcachePool pool = pool(poolId);
            final int pageSize = pool.pageSize;
            checkPage(page, pageSize, false);
            checkKey(oidA, oidB, oidC, index);
            if (SameFilledPage.isSameFilled(page, 0, pageSize))
            {
                final long value = PageValue.sameFilled(SameFilledPage.word(page, 0, pageSize));
                if (value != TmemPool.EMPTY)
                {
                    events.sameFilled.increment();
                    pool.sameFilledPages.increment();
                    return keep(pool, oidA, oidB, oidC, index, value, false);
                }
            }
            final byte header;
            final long value;
            try (CompressorSlot slot = compressors.acquire())
            {
                MemorySegment source = page;
                if (!page.isNative())
                {
                    MemorySegment.copy(page, 0, slot.scratch(), 0, pageSize);
                    source = slot.scratch();
                }
                final int compressed = codecs == null ? slot.compress(source, 0, pageSize) :
                    codecs.compress(pool, slot, source);
                header = codecs == null ? 0 : slot.output().get(ValueLayout.JAVA_BYTE, 0);
                final boolean admitted = admit(pool, compressed);
                if (admitted)
                {
                    final long local = tier.bypassLocal() || overBudget && !shrinkToBudget() ? NO_MEMORY
                        : stored.store(pool, slot, compressed, source);
                    if (local == NO_MEMORY && tier.isConfigured()
                        && storeBelow(pool, oidA, oidB, oidC, index, belowForm(slot.output().asSlice(0, compressed),
                        source, pageSize)))
                    {
                        if (codecs != null)
                        {
                            codecs.release(header); // the tier holds a form of its own
                        }
                        events.putsStored.increment();
                        return STORED;
                    }
                    value = local;
                }
                else
                {
                    value = rawIncompressible && compressed > pool.maxCompressedLength && !overBudget ?
                        storeRaw(pool, slot, source) : POOR_COMPRESSION;
                }
                if (codecs != null && (value < 0 || !admitted))
                {
                    // the compressed block was not kept: its dictionary reference goes with it
                    codecs.release(header);
                }
            }
            if (value < 0)
            {
                (value == NO_MEMORY ? events.failedNoMemory : events.failedPoorCompression).increment();
                drop(pool, oidA, oidB, oidC, index);
                return (int)value;
            }
            final int result = keep(pool, oidA, oidB, oidC, index, value, true);
            if (codecs != null)
            {
                codecs.linked(pool, header);
            }
            return result;
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
        return read(poolId, oidA, oidB, oidC, index, dst, false) != MISS;
    }

    /**
     * Reads a page for a reader that decompresses it itself, with this engine's {@linkplain #codec() codec}
     * without dictionary (a host daemon's client: the compressed bytes cross to it, not the page, and the CPU time
     * of decompressing is the reader's). Where the page is stored as that codec compressed it, {@code dst} receives
     * the compressed block; any other page (same-filled, stored raw, compressed with a dictionary or a
     * recompression codec the engine's own cannot read, from the lower tier, or in an engine with checksums, whose
     * check is over the page itself) is decompressed here, as {@link #get} does. A hit in an ephemeral pool (or any
     * pool with exclusive gets) removes the page.
     *
     * @param poolId a live pool.
     * @param oidA   object id, first 64 bits.
     * @param oidB   object id, second 64 bits.
     * @param oidC   object id, third 64 bits.
     * @param index  page index, ≥ 0.
     * @param dst    writable, exactly the pool's page size; written on a hit, untouched on a miss.
     * @return {@link #MISS}; the length of the compressed block at the start of {@code dst}, less than the page
     *         size; or the page size when {@code dst} holds the page itself.
     * @throws CorruptPageException     if the stored page is damaged (it is dropped).
     * @throws IllegalArgumentException on an unknown or destroyed pool, a wrong-sized or read-only buffer, an
     *                                  invalid object id or a negative index.
     * @throws IllegalStateException    after {@link #close()}.
     */
    public int getCompressed(final int poolId, final long oidA, final long oidB, final long oidC, final int index,
        final MemorySegment dst)
    {
        return read(poolId, oidA, oidB, oidC, index, dst, true);
    }

    private int read(final int poolId, final long oidA, final long oidB, final long oidC, final int index,
        final MemorySegment dst, final boolean compressedForm)
    {
        enter();
        try
        {
            final ZcachePool pool = pool(poolId);
            checkPage(dst, pool.pageSize, true);
            checkKey(oidA, oidB, oidC, index);
            int length = pool.exclusiveGets ? getExclusive(pool, oidA, oidB, oidC, index, dst, compressedForm) :
                getShared(pool, oidA, oidB, oidC, index, dst, compressedForm);
            if (length == MISS && tier.isConfigured() && getBelow(pool, oidA, oidB, oidC, index, dst))
            {
                length = pool.pageSize;
            }
            (length != MISS ? events.getHits : events.getMisses).increment();
            return length;
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Removes a page.
     *
     * @param poolId a live pool.
     * @param oidA   object id, first 64 bits.
     * @param oidB   object id, second 64 bits.
     * @param oidC   object id, third 64 bits.
     * @param index  page index, ≥ 0.
     * @return whether there was one.
     * @throws IllegalArgumentException on an unknown or destroyed pool, an invalid object id or a negative index.
     */
    public boolean flushPage(final int poolId, final long oidA, final long oidB, final long oidC, final int index)
    {
        enter();
        try
        {
            final ZcachePool pool = pool(poolId);
            events.flushPages.increment();
            final boolean found = drop(pool, oidA, oidB, oidC, index);
            if (found)
            {
                events.flushPagesFound.increment();
            }
            return found;
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Removes an object and all its pages.
     *
     * @param poolId a live pool.
     * @param oidA   object id, first 64 bits.
     * @param oidB   object id, second 64 bits.
     * @param oidC   object id, third 64 bits.
     * @return the number of pages removed.
     * @throws IllegalArgumentException on an unknown or destroyed pool or an invalid object id.
     */
    public int flushObject(final int poolId, final long oidA, final long oidB, final long oidC)
    {
        enter();
        try
        {
            final ZcachePool pool = pool(poolId);
            events.flushObjects.increment();
            // local pages first: a page moving down meanwhile then finds itself gone and drops its copy below
            final int pages = pool.index.takeObject(oidA, oidB, oidC, pool.freer)
                + tier.invalidateObject(pool.index, oidA, oidB, oidC);
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
        enter();
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
     * Runs one recompression pass now (zram's {@code recompress}): every page put at least the configured idle time
     * ago (or, with {@link Builder#recompressColdestFraction(double)}, among that fraction of its pool's pages put
     * longest ago), and not looked at by an earlier pass, is compressed with the recompression codec and stored again if that
     * saves at least the configured bytes. Compression runs outside the bucket locks; a page read, overwritten or
     * flushed meanwhile keeps its current form. The background agent runs the same pass every interval.
     *
     * @return pages stored again by this pass.
     * @throws IllegalStateException if the engine has no recompression codec ({@link Builder#recompress}), or after
     *                               {@link #close()}.
     */
    public long recompress()
    {
        enter();
        try
        {
            if (recompression == null)
            {
                throw new IllegalStateException("zcache " + name + " has no recompression codec; set one with " +
                    "Zcache.builder().recompress(\"zstd:9\") (configuration key recompress)");
            }
            synchronized (recompression)
            {
                return recompression.pass(pools, gate::isClosed);
            }
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * {@return the recompression codec, or null without one}
     */
    public CodecSpec recompressCodec()
    {
        return recompress;
    }

    /**
     * Whether the agent may allocate a new form: never while the engine is over its budget, nor when a new page of
     * page memory could take it there (the old form is freed only after the new one is stored).
     */
    private boolean hasRoom()
    {
        final PageMemoryStats stats = memory.stats();
        return !overBudget && stats.bytesInUse() + PageMemory.PAGE_SIZE <= stats.budgetBytes();
    }

    /**
     * On the migration thread, after a dictionary replaced its pool's current one: one migration pass (see
     * {@link DictionaryMigration}), then a compaction if it moved pages and the compaction policy is on, unless the
     * engine is closing.
     */
    private void migrateDictionaries()
    {
        if (!gate.enter())
        {
            return;
        }
        try
        {
            synchronized (migration)
            {
                if (migration.pass(pools, gate::isClosed) > 0 && compactAfterMigration)
                {
                    // the old forms' holes: a pass moves a share of the pages at once, more than the allocator's
                    // own policy waits for, and the pages it moved are the ones it would have to gather
                    allocator.compact();
                }
            }
        }
        catch (final RuntimeException ex)
        {
            if (!gate.isClosed())
            {
                LOGGER.log(System.Logger.Level.WARNING, "dictionary migration pass of " + name + " failed", ex);
            }
        }
        finally
        {
            gate.exit();
        }
    }

    private void recompressInBackground()
    {
        try
        {
            recompress();
        }
        catch (final RuntimeException ex)
        {
            if (gate.isClosed())
            {
                return; // closing: the agent stops with the engine
            }
            // a scheduled task that throws is never run again: log, and try again at the next interval
            LOGGER.log(System.Logger.Level.WARNING,
                "recompression pass of " + name + " failed; the agent tries again at its next interval", ex);
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
        enter();
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
     * {@return the memory budget in bytes}
     */
    public long budgetBytes()
    {
        return memory.budgetBytes();
    }

    /**
     * {@return this backend's name (see {@link Builder#name(String)}), which names its counter sources}
     */
    public String name()
    {
        return name;
    }

    /**
     * {@return the allocator's name}
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
     * {@return the codec every compressor slot runs}
     */
    public CodecSpec codec()
    {
        return codec;
    }

    /**
     * {@return a snapshot of the counters, levels and per-pool rows}
     */
    public ZcacheStats stats()
    {
        enter();
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
            // every put ends stored or refused, every get hits, misses or finds a corrupt page: their sums are the
            // calls, and a call counts once on its path instead of twice
            final long putsStored = e.putsStored.sum();
            final long failedNoMemory = e.failedNoMemory.sum();
            final long failedPoorCompression = e.failedPoorCompression.sum();
            final long getHits = e.getHits.sum();
            final long getMisses = e.getMisses.sum();
            final long corruptPages = e.corruptPages.sum();
            return new ZcacheStats(putsStored + failedNoMemory + failedPoorCompression, putsStored,
                e.sameFilled.sum(), e.putsRaw.sum(), failedNoMemory, failedPoorCompression, e.compressPoor.sum(),
                e.meanCompressPoor.sum(), e.persistentAteEphemeral.sum(), getHits + getMisses + corruptPages, getHits,
                getMisses, corruptPages,
                e.flushPages.sum(), e.flushPagesFound.sum(), e.flushObjects.sum(), e.flushObjectPages.sum(),
                e.evictions.sum(), compressors.waits(), compressors.liveSlots(), pages, sameFilledPages, compressedBytes, allocatorStats.pagesUsed(),
                allocatorStats.poolBytes(), metadataBytes, memoryStats.budgetBytes(),
                codecs == null ? 0 : codecs.made(), codecs == null ? 0 : codecs.dictionaries(),
                codecs == null ? 0 : codecs.dictionaryBytes(), codecs == null ? 0 : codecs.preparedCompressors(),
                codecs == null ? 0 : codecs.resamples(),
                migration == null ? 0 : migration.migrated(),
                e.recompressedPages.sum(), e.recompressSavedBytes.sum(),
                e.recompressSkipped.sum(), rows, allocatorStats, memoryStats);
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Waits until every dictionary training asked for so far has ended (a {@code +dict} codec trains in the
     * background): for tests and studies that want the dictionaries settled before they measure.
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void awaitDictionaries() throws InterruptedException
    {
        enter();
        try
        {
            if (codecs != null)
            {
                codecs.awaitTraining();
            }
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * {@return what this engine handed to and took from its lower tier (all 0 without one)}
     */
    public LowerTierStats lowerTierStats()
    {
        return tier.stats();
    }

    /**
     * {@return whether the engine was built with a lower tier}
     */
    public boolean hasLowerTier()
    {
        return tier.isConfigured();
    }

    /**
     * Sets how strongly an ephemeral pool's pages resist eviction: pages are evicted by age divided by their pool's
     * weight, so under one budget the pools' shares follow their weights (the host daemon gives each client's pools
     * the client's weight).
     *
     * @param poolId a live pool.
     * @param weight from 1 to 1,000,000; pools start at 1.
     * @throws IllegalArgumentException if the pool is unknown or destroyed or the weight is out of range.
     */
    public void poolWeight(final int poolId, final int weight)
    {
        gate.enter();
        try
        {
            pool(poolId).index.evictionWeight(weight);
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * {@return the pool's weight; see {@link #poolWeight(int, int)}}
     *
     * @param poolId a live pool.
     * @throws IllegalArgumentException if the pool is unknown or destroyed.
     */
    public int poolWeight(final int poolId)
    {
        gate.enter();
        try
        {
            return pool(poolId).index.evictionWeight();
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * One pool's row of {@link #stats()}, without the others: what a caller that accounts pages per pool (the host
     * daemon's per-client caps) reads.
     *
     * @param poolId a live pool.
     * @return the pool's row.
     * @throws IllegalArgumentException if the pool is unknown or destroyed.
     */
    public ZcachePoolStats poolStats(final int poolId)
    {
        gate.enter();
        try
        {
            return pool(poolId).stats();
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * {@return the engine's counter sources, named after this backend (see {@link Builder#name(String)}) and tagged
     * with its name, allocator and codec: kind {@code engine} ({@link ZcacheStats#COUNTERS}), kind {@code allocator}
     * (its common counters and its own details), kind {@code memory} (its page memory's) and kind {@code pool} (one
     * per pool kind, {@link ZcachePoolStats#COUNTERS}, tagged {@code pool}) and, with a lower tier, kind {@code tier}
     * ({@link LowerTierStats#COUNTERS}), for
     * {@link org.tmem4j.stats.CounterRegistry} (JMX and the counters file) and Micrometer. Each samples one
     * {@link #stats()} snapshot; after the engine closes they read 0}
     */
    public List<CounterSource> counters()
    {
        return ZcacheCounters.of(this);
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
        if (recompressionAgent != null)
        {
            recompressionAgent.shutdownNow();
            try
            {
                recompressionAgent.awaitTermination(1, TimeUnit.MINUTES);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
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
            if (recompression != null)
            {
                recompression.close();
            }
            if (migration != null)
            {
                migration.close();
            }
            if (codecs != null)
            {
                codecs.close();
            }
            stored.close();
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

    private int register(final TmemPool index)
    {
        final int slot = Tmem.slotOf(index.id());
        final ZcachePool[] all = Arrays.copyOf(pools, Math.max(pools.length, slot + 1));
        all[slot] = new ZcachePool(index, exclusiveGets, stored::free,
            codecs == null ? null : codecs.newPool(index.pageSize()));
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
     * Keeps an incompressible page uncompressed while the budget has room for it.
     *
     * @return the value, or {@link #POOR_COMPRESSION} when there is no room (the caller keeps the page elsewhere).
     */
    private long storeRaw(final ZcachePool pool, final CompressorSlot slot, final MemorySegment page)
    {
        final long value = stored.storeRaw(pool, slot, page);
        if (value < 0)
        {
            return POOR_COMPRESSION;
        }
        events.putsRaw.increment();
        return value;
    }

    /**
     * Makes room for an allocation that found the budget full: frees the coldest page (see {@link #freeColdest}).
     *
     * @return whether a page was freed.
     */
    private boolean makeRoom(final ZcachePool pool)
    {
        final PoolKind freed = freeColdest();
        if (freed == null)
        {
            return false;
        }
        if (pool.persistent && freed == PoolKind.EPHEMERAL)
        {
            events.persistentAteEphemeral.increment();
        }
        return true;
    }

    /**
     * Frees pages, coldest first, until the pages in use fit the budget.
     *
     * @return whether they fit.
     */
    private boolean shrinkToBudget()
    {
        while (memory.stats().bytesInUse() > memory.budgetBytes())
        {
            if (freeColdest() == null)
            {
                return false;
            }
        }
        overBudget = false;
        return true;
    }

    /**
     * Frees the coldest page: without tiers, evicts the oldest ephemeral page; with tiers, moves the coldest
     * ephemeral page down (dropping it if no tier takes it), or else the coldest persistent page (which stays if no
     * tier takes it), trying a few candidates before giving up.
     *
     * @return the kind of the page freed, or {@code null} if none could be.
     */
    private PoolKind freeColdest()
    {
        if (!tier.isConfigured())
        {
            return tmem.evictOldest(evictionSink) ? PoolKind.EPHEMERAL : null;
        }
        for (int attempt = 0; attempt < MOVE_ATTEMPTS; attempt++)
        {
            final ColdPageMove move = new ColdPageMove();
            final PoolKind kind = tmem.detachColdest(PoolKind.EPHEMERAL, move) ? PoolKind.EPHEMERAL
                : tmem.detachColdest(PoolKind.PERSISTENT, move) ? PoolKind.PERSISTENT : null;
            if (kind == null)
            {
                return null;
            }
            if (move.freed)
            {
                return kind;
            }
        }
        return null;
    }

    /**
     * Moves a page {@link Tmem#detachColdest} found to the first tier that takes it, under the page's key lock:
     * copies it while it is still the page's value, hands the copy down, and only then frees it locally. A page
     * replaced or taken meanwhile is left to whoever did it (and the copy below, if made, is dropped); a persistent
     * page no tier takes goes back on its list. A key lock held by another thread (a put or flush of that page, or
     * a move) is not waited for: the page goes back on its list.
     *
     * @return whether the page was freed locally.
     */
    private boolean moveDown(final TmemPool index, final long a, final long b, final long c, final int page,
        final long value)
    {
        final ZcachePool pool = pools[Tmem.slotOf(index.id())];
        if (pool.index != index)
        {
            return false;
        }
        final ReentrantLock lock = tier.keyLock(index, a, b, c, page);
        if (!lock.tryLock())
        {
            index.relink(a, b, c, page, value);
            return false;
        }
        boolean below = false;
        try
        {
            final CopyContext context = new CopyContext(value);
            if (!index.read(a, b, c, page, copier, context) || context.copy == null)
            {
                return false;
            }
            try
            {
                below = tier.moveDown(index, a, b, c, page, belowForm(context.copy, null, index.pageSize()));
            }
            catch (final CorruptDataException ex)
            {
                // a page that does not decompress cannot be compressed again for the tier: it stays, and its get
                // reports it
                index.relink(a, b, c, page, value);
                return false;
            }
            finally
            {
                if (codecs != null)
                {
                    codecs.release(context.copy.get(ValueLayout.JAVA_BYTE, 0));
                }
            }
            if (!below && pool.persistent)
            {
                index.relink(a, b, c, page, value);
                return false;
            }
            if (index.takeIf(a, b, c, page, value))
            {
                events.evictions.increment();
                stored.free(pool, value);
                return true;
            }
            // taken by an exclusive get meanwhile: the copy below must not outlive it
            if (below)
            {
                tier.invalidatePage(index, a, b, c, page);
            }
            return false;
        }
        catch (final IllegalStateException destroyed)
        {
            // the pool was destroyed meanwhile (its pages freed with it): a copy made below goes too
            if (below)
            {
                tier.invalidatePage(index, a, b, c, page);
            }
            return false;
        }
        finally
        {
            lock.unlock();
        }
    }

    private void copyUnderLock(final long value, final CopyContext context)
    {
        if (value == context.expected)
        {
            context.copy = stored.compressedCopy(value);
            if (codecs != null)
            {
                // the copy is read after the lock is released, when the page may be freed with its reference
                codecs.retain(context.copy.get(ValueLayout.JAVA_BYTE, 0));
            }
        }
    }

    /**
     * @param stored a stored page's bytes without checksum (header first in an engine with {@link PageCodecs}).
     * @param page   the page itself when at hand, else null.
     * @return what a lower tier receives: the page compressed by the engine's codec alone (see
     * {@link PageCodecs#forLowerTier}).
     */
    private MemorySegment belowForm(final MemorySegment stored, final MemorySegment page, final int pageSize)
    {
        return codecs == null ? stored : codecs.forLowerTier(stored, page, pageSize);
    }

    /**
     * Keeps a page stored locally: links it and, with tiers, drops any copy below, under the page's key lock.
     */
    private int keep(final ZcachePool pool, final long a, final long b, final long c, final int index,
        final long value, final boolean evictable)
    {
        final ReentrantLock lock = lockKey(pool, a, b, c, index);
        try
        {
            final int result = link(pool, a, b, c, index, value, evictable);
            tier.invalidatePage(pool.index, a, b, c, index);
            return result;
        }
        finally
        {
            unlock(lock);
        }
    }

    /**
     * Drops a page locally and below, under its key lock.
     *
     * @return whether there was a copy anywhere.
     */
    private boolean drop(final ZcachePool pool, final long a, final long b, final long c, final int index)
    {
        final ReentrantLock lock = lockKey(pool, a, b, c, index);
        try
        {
            final long stale = pool.index.take(a, b, c, index);
            if (stale != TmemPool.EMPTY)
            {
                stored.free(pool, stale);
            }
            return tier.invalidatePage(pool.index, a, b, c, index) || stale != TmemPool.EMPTY;
        }
        finally
        {
            unlock(lock);
        }
    }

    /**
     * Hands a page that found no room to the tiers, dropping the local copy it replaces, under its key lock.
     *
     * @return whether a tier took it.
     */
    private boolean storeBelow(final ZcachePool pool, final long a, final long b, final long c, final int index,
        final MemorySegment compressed)
    {
        final ReentrantLock lock = lockKey(pool, a, b, c, index);
        try
        {
            if (!tier.storeBelow(pool.index, a, b, c, index, compressed))
            {
                return false;
            }
            final long stale = pool.index.take(a, b, c, index);
            if (stale != TmemPool.EMPTY)
            {
                stored.free(pool, stale);
            }
            return true;
        }
        finally
        {
            unlock(lock);
        }
    }

    /**
     * @return the page's key lock, locked, or {@code null} without tiers (nothing below to keep in step).
     */
    private ReentrantLock lockKey(final ZcachePool pool, final long a, final long b, final long c, final int index)
    {
        if (!tier.isConfigured())
        {
            return null;
        }
        final ReentrantLock lock = tier.keyLock(pool.index, a, b, c, index);
        lock.lock();
        return lock;
    }

    private static void unlock(final ReentrantLock lock)
    {
        if (lock != null)
        {
            lock.unlock();
        }
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
            stored.free(pool, value);
            throw ex;
        }
        if (old != TmemPool.EMPTY)
        {
            stored.free(pool, old);
        }
        events.putsStored.increment();
        return STORED;
    }

    private int getExclusive(final ZcachePool pool, final long a, final long b, final long c, final int index,
        final MemorySegment dst, final boolean compressedForm)
    {
        final long value = pool.index.take(a, b, c, index);
        if (value == TmemPool.EMPTY)
        {
            return MISS;
        }
        try
        {
            if (PageValue.isSameFilled(value))
            {
                SameFilledPage.fill(dst, 0, pool.pageSize, PageValue.word(value));
                return pool.pageSize;
            }
            try (CompressorSlot slot = compressors.acquire())
            {
                return load(value, slot, dst, pool.pageSize, compressedForm);
            }
        }
        catch (final CorruptDataException ex)
        {
            throw corrupt(pool, a, b, c, index, ex);
        }
        finally
        {
            stored.free(pool, value);
        }
    }

    private int getShared(final ZcachePool pool, final long a, final long b, final long c, final int index,
        final MemorySegment dst, final boolean compressedForm)
    {
        try (CompressorSlot slot = compressors.acquire())
        {
            final int held = slot.index();
            if (!pool.index.read(a, b, c, index, reader, readSlots[held]))
            {
                return MISS;
            }
            // pinned under the lock: decompressed outside it, while puts and gets of the bucket go on
            final long value = stored.found(held);
            boolean pinned = true;
            try
            {
                return load(value, slot, dst, pool.pageSize, compressedForm);
            }
            catch (final CorruptDataException ex)
            {
                pinned = false;
                stored.unpin(pool, held, value);
                if (pool.index.takeIf(a, b, c, index, value))
                {
                    stored.free(pool, value);
                }
                throw corrupt(pool, a, b, c, index, ex);
            }
            finally
            {
                if (pinned)
                {
                    stored.unpin(pool, held, value);
                }
            }
        }
    }

    private int load(final long value, final CompressorSlot slot, final MemorySegment dst, final int pageSize,
        final boolean compressedForm)
    {
        if (compressedForm)
        {
            return stored.loadCompressed(value, slot, dst, pageSize);
        }
        stored.load(value, slot, dst, pageSize);
        return pageSize;
    }

    private void pinUnderLock(final long value, final ReadSlot slot)
    {
        stored.pin(slot.index(), value);
    }

    private CorruptPageException corrupt(final ZcachePool pool, final long a, final long b, final long c,
        final int index, final CorruptDataException cause)
    {
        events.corruptPages.increment();
        return new CorruptPageException("page " + index + " of object " + new ObjectId(a, b, c) + " in pool " +
            pool.index.id() + " is corrupt and was dropped: " + cause.getMessage(), cause);
    }

    private void evicted(final TmemPool index, final long a, final long b, final long c, final int page,
        final long value)
    {
        events.evictions.increment();
        final ZcachePool slot = pools[Tmem.slotOf(index.id())];
        // a pool destroyed meanwhile may have given its slot to a new pool: its accounting dies with it
        final ZcachePool pool = slot.index == index ? slot : new ZcachePool(index, exclusiveGets, stored::free, null);
        stored.free(pool, value);
    }

    /**
     * Looks in the lower tier after a local miss.
     */
    private boolean getBelow(final ZcachePool pool, final long a, final long b, final long c, final int index,
        final MemorySegment dst)
    {
        try (CompressorSlot slot = compressors.acquire())
        {
            return tier.load(pool.index, a, b, c, index, pool.exclusiveGets, slot, dst);
        }
    }

    private ZcachePool pool(final int poolId)
    {
        checkOpen();
        final TmemPool index = tmem.pool(poolId);
        final ZcachePool pool = pools[Tmem.slotOf(poolId)];
        if (pool.index != index)
        {
            // destroyed since the lookup, its slot already given to a new pool
            throw new IllegalArgumentException("pool " + poolId + " is destroyed");
        }
        return pool;
    }

    /**
     * Enters the drain gate that {@link #close()} waits on; every entry is matched by one {@code gate.exit()}.
     */
    private void enter()
    {
        if (!gate.enter())
        {
            throw closed();
        }
    }

    private void checkOpen()
    {
        if (gate.isClosed())
        {
            throw closed();
        }
    }

    private IllegalStateException closed()
    {
        return new IllegalStateException("zcache " + name + " is closed");
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
     * Receives the page {@link Tmem#detachColdest} found and moves it down; says whether it was freed.
     */
    private final class ColdPageMove implements ColdPageSink
    {
        boolean freed;

        @Override
        public void cold(final TmemPool pool, final long a, final long b, final long c, final int index,
            final long value)
        {
            freed = moveDown(pool, a, b, c, index, value);
        }
    }

    /**
     * A page moving down: the value it must still hold, and its compressed bytes once copied under the bucket lock.
     */
    private static final class CopyContext
    {
        final long expected;
        MemorySegment copy;

        CopyContext(final long expected)
        {
            this.expected = expected;
        }
    }

    /**
     * The compressor slot a shared get holds, whose pin its look under the bucket lock sets (and hands the value
     * back in). One per slot, made once, so a get allocates nothing.
     *
     * @param index the slot's index.
     */
    private record ReadSlot(int index)
    {
    }

    /**
     * @throws IllegalArgumentException naming the parameter, if the value is null (as for any other bad input).
     */
    private static <T> T requireArgument(final T value, final String parameter)
    {
        if (value == null)
        {
            throw new IllegalArgumentException(parameter + " is null");
        }
        return value;
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
        private boolean preTouch;
        private int buckets = Buckets.DEFAULT;
        private boolean exclusiveGets;
        private boolean checksum;
        private boolean rawIncompressible;
        private int compressorSlots = Runtime.getRuntime().availableProcessors();
        /** Negative: {@value #SPARES_PER_SLOT} per compressor slot. */
        private int spareCompressorSlots = -1;
        private LowerTier[] lowerTiers = new LowerTier[0];
        private int acceptThresholdPercent = 90;
        private CompactionPolicy compaction = CompactionPolicy.DEFAULT;
        private int dictionaryBytes = DEFAULT_DICTIONARY_BYTES;
        private int dictionarySampleBytes = DEFAULT_DICTIONARY_SAMPLE_BYTES;
        private boolean dictionaryMigration;
        private CodecSpec recompress;
        private long recompressIdleMs = DEFAULT_RECOMPRESS_IDLE_MS;
        private double recompressColdestFraction;
        private int recompressMinSavedBytes = DEFAULT_RECOMPRESS_MIN_SAVED_BYTES;
        private long recompressIntervalMs = DEFAULT_RECOMPRESS_INTERVAL_MS;

        /**
         * Spare compression contexts per slot by default: 8 runnable threads on 2 CPUs (2 slots) hold up to 8, so
         * 3 spares per slot keep 4 threads per CPU from waiting for a descheduled holder.
         */
        private static final int SPARES_PER_SLOT = 3;

        private Builder()
        {
        }

        /**
         * {@return this}
         *
         * @param name the name counters are published under (kind {@code engine}); default {@code zcache}.
         */
        public Builder name(final String name)
        {
            this.name = requireArgument(name, "name");
            return this;
        }

        /**
         * {@return this}
         *
         * @param allocatorName an allocator found through {@link AllocatorProvider}, e.g. {@code zsmalloc} (the
         *                      default) or {@code zbud}.
         */
        public Builder allocator(final String allocatorName)
        {
            this.allocatorName = requireArgument(allocatorName, "allocatorName");
            return this;
        }

        /**
         * {@return this}
         *
         * @param codec the codec; default LZ4.
         */
        public Builder codec(final CodecSpec codec)
        {
            this.codec = requireArgument(codec, "codec");
            return this;
        }

        /**
         * {@return this}
         *
         * @param codec a codec spec as {@link CodecSpec#parse(String)} reads it: {@code lz4}, {@code zstd},
         *              {@code zstd:3}, {@code zstd:-5}.
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
            this.codecFactory = requireArgument(codecs, "codecs");
            return this;
        }

        /**
         * {@return this}
         *
         * @param budgetBytes the hard limit on memory for compressed pages; default 256 MiB.
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
         * {@return this}
         *
         * @param preTouch whether the whole budget is mapped and written when the engine is built, so that no put
         *                 faults memory in ({@link PageMemory.Builder#preTouch(boolean)}); the budget is then held in
         *                 RAM from the start. Default false.
         */
        public Builder preTouch(final boolean preTouch)
        {
            this.preTouch = preTouch;
            return this;
        }

        /**
         * {@return this}
         *
         * @param buckets hash buckets (lock stripes) per pool, as {@link Buckets} allows; default
         *                {@value Buckets#DEFAULT}.
         */
        public Builder buckets(final int buckets)
        {
            this.buckets = Buckets.checkBuckets(buckets);
            return this;
        }

        /**
         * {@return this}
         *
         * @param exclusiveGets whether a get from a persistent pool removes the page (frontswap's exclusive gets);
         *                      default false. Ephemeral gets are always exclusive.
         */
        public Builder exclusiveGets(final boolean exclusiveGets)
        {
            this.exclusiveGets = exclusiveGets;
            return this;
        }

        /**
         * {@return this}
         *
         * @param checksum whether to store an xxHash32 with each compressed page and verify it on get; default
         *                 false.
         */
        public Builder checksum(final boolean checksum)
        {
            this.checksum = checksum;
            return this;
        }

        /**
         * {@return this}
         *
         * @param rawIncompressible whether a page compressing above 7/8 of a page is kept uncompressed in RAM while
         *                          the budget has room for it without evicting anything (zram's "huge" pages),
         *                          rather than refused with {@link Zcache#POOR_COMPRESSION}; counted in
         *                          {@code puts_raw}. Default false.
         */
        public Builder rawIncompressible(final boolean rawIncompressible)
        {
            this.rawIncompressible = rawIncompressible;
            return this;
        }

        /**
         * {@return this}
         *
         * @param compressorSlots compression contexts shared by all threads, made at {@link #build()}, 1 to
         *                        {@value CompressorPool#MAX_SLOTS}; default one per available processor.
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
         * Sets how many more compression contexts may be made, one each time a thread finds every context in use
         * (threads outnumbering CPUs, so that descheduled threads hold contexts): see {@link CompressorPool}.
         *
         * @param spareCompressorSlots 0 (threads then wait for a context) to {@value CompressorPool#MAX_SLOTS}
         *                             minus the compressor slots; default {@value #SPARES_PER_SLOT} per
         *                             compressor slot.
         * @return this
         */
        public Builder spareCompressorSlots(final int spareCompressorSlots)
        {
            if (spareCompressorSlots < 0 || spareCompressorSlots > CompressorPool.MAX_SLOTS - 1)
            {
                throw new IllegalArgumentException("spareCompressorSlots must be 0 to " +
                    (CompressorPool.MAX_SLOTS - 1) + " (with the compressor slots at most " +
                    CompressorPool.MAX_SLOTS + "), was " + spareCompressorSlots);
            }
            this.spareCompressorSlots = spareCompressorSlots;
            return this;
        }

        /**
         * {@return this}
         *
         * @param lowerTier where pages go when the budget is full (the coldest pages, moved down for room, and new
         *                  pages while full) and where a local miss looks next; {@code null} (the default) for none.
         */
        public Builder lowerTier(final LowerTier lowerTier)
        {
            return lowerTier == null ? lowerTiers() : lowerTiers(lowerTier);
        }

        /**
         * {@return this}
         *
         * @param tiers lower tiers, top first (ramster's Redis, then frontswap's swap file): a page moved down goes
         *              to the first that takes it, a local miss asks each in turn; none (the default) for none.
         */
        public Builder lowerTiers(final LowerTier... tiers)
        {
            for (final LowerTier tier : requireArgument(tiers, "tiers"))
            {
                requireArgument(tier, "a lower tier");
            }
            this.lowerTiers = tiers.clone();
            return this;
        }

        /**
         * {@return this}
         *
         * @param percent once full, new pages go to the lower tier until the pages in use fall under this percentage
         *                of the budget (zswap's {@code accept_threshold_percent}), 1 to 100; default 90.
         */
        public Builder acceptThresholdPercent(final int percent)
        {
            if (percent < 1 || percent > 100)
            {
                throw new IllegalArgumentException("acceptThresholdPercent must be 1 to 100, was " + percent);
            }
            this.acceptThresholdPercent = percent;
            return this;
        }

        /**
         * {@return this}
         *
         * @param compaction when the allocator compacts by itself (allocators that move objects, i.e. zsmalloc);
         *                   default {@link CompactionPolicy#DEFAULT}, {@link CompactionPolicy#OFF} for explicit
         *                   {@link Zcache#compact()} calls only.
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
         * {@return this}
         *
         * @param bytes the largest dictionary a pool trains with a {@code +dict} codec, {@value
         *              ZstdDictionary#MIN_BYTES} to {@value #MAX_DICTIONARY_BYTES}; default
         *              {@value #DEFAULT_DICTIONARY_BYTES}.
         */
        public Builder dictionaryBytes(final int bytes)
        {
            if (bytes < ZstdDictionary.MIN_BYTES || bytes > MAX_DICTIONARY_BYTES)
            {
                throw new IllegalArgumentException("dictionaryBytes must be " + ZstdDictionary.MIN_BYTES + " to " +
                    MAX_DICTIONARY_BYTES + ", was " + bytes);
            }
            this.dictionaryBytes = bytes;
            return this;
        }

        /**
         * {@return this}
         *
         * @param bytes with a {@code +dict} codec, bytes of a pool's pages (its first ones; every fourth when it
         *              retrains) a dictionary is trained on, hence how many pages a pool stores before its first
         *              dictionary: {@value #MIN_DICTIONARY_SAMPLE_BYTES} to {@value #MAX_DICTIONARY_SAMPLE_BYTES};
         *              default {@value #DEFAULT_DICTIONARY_SAMPLE_BYTES} (512 pages of 4 KiB).
         */
        public Builder dictionarySampleBytes(final int bytes)
        {
            if (bytes < MIN_DICTIONARY_SAMPLE_BYTES || bytes > MAX_DICTIONARY_SAMPLE_BYTES)
            {
                throw new IllegalArgumentException("dictionarySampleBytes must be " + MIN_DICTIONARY_SAMPLE_BYTES +
                    " to " + MAX_DICTIONARY_SAMPLE_BYTES + ", was " + bytes);
            }
            this.dictionarySampleBytes = bytes;
            return this;
        }

        /**
         * {@return this}
         *
         * @param migrate with a {@code +dict} codec, whether the pages of a dictionary its pool has replaced move to
         *                the new one in the background, so that the old one is freed (a page moves when that makes
         *                it at most its share of the old dictionary's bytes larger); default false: while pages
         *                are being put the passes take a core from the puts, and in the study's fills they gained
         *                nothing measurable (README, "Dictionaries").
         */
        public Builder dictionaryMigration(final boolean migrate)
        {
            this.dictionaryMigration = migrate;
            return this;
        }

        /**
         * {@return this}
         *
         * @param codec the codec cold pages are compressed again with (zram's {@code recompress}): zstd at any
         *              level, with {@code +dict} for the pool's dictionary (which the pools then make even when
         *              the engine's codec has none); {@code null} (the default) for no recompression.
         * @throws IllegalArgumentException if the codec is not zstd.
         */
        public Builder recompress(final CodecSpec codec)
        {
            if (codec != null && !CodecSpec.ZSTD.equals(codec.name()))
            {
                throw new IllegalArgumentException("recompression codec must be zstd (zstd:LEVEL, zstd:LEVEL+dict), " +
                    "was " + codec);
            }
            this.recompress = codec;
            return this;
        }

        /**
         * {@return this}
         *
         * @param codec a spec as {@link CodecSpec#parse(String)} reads it, e.g. {@code zstd:9} or
         *              {@code zstd:3+dict}, or {@code null} for none; see {@link #recompress(CodecSpec)}.
         */
        public Builder recompress(final String codec)
        {
            return recompress(codec == null ? null : CodecSpec.parse(codec));
        }

        /**
         * {@return this}
         *
         * @param ms how long a page must have been idle since its put before the agent recompresses it, ≥ 0 (0:
         *           every page); default {@value #DEFAULT_RECOMPRESS_IDLE_MS}. Judged by a two-bit put epoch of
         *           this length in the page's header: idle means put two or three epochs ago.
         */
        public Builder recompressIdleMs(final long ms)
        {
            if (ms < 0)
            {
                throw new IllegalArgumentException("recompressIdleMs must be >= 0, was " + ms);
            }
            this.recompressIdleMs = ms;
            return this;
        }

        /**
         * {@return this}
         *
         * @param fraction 0 (the default: the idle-time rule, {@link #recompressIdleMs(long)}), or more than 0 and
         *                 at most 1: each pass looks instead at the coldest this fraction of every pool's pages by
         *                 put order (the zcache LRU; a get does not make a page younger), whatever their idle time.
         *                 Pages the agent already looked at count in the fraction but are not looked at again.
         *                 Persistent pools then keep their pages in put order as ephemeral ones do (48 bytes of
         *                 heap a page).
         * @throws IllegalArgumentException if the fraction is not 0 nor in (0, 1].
         */
        public Builder recompressColdestFraction(final double fraction)
        {
            if (!(fraction >= 0 && fraction <= 1))
            {
                throw new IllegalArgumentException("recompressColdestFraction must be 0 (off: the idle-time rule) " +
                    "or more than 0 and at most 1, was " + fraction);
            }
            this.recompressColdestFraction = fraction;
            return this;
        }

        /**
         * {@return this}
         *
         * @param bytes the least a page's stored form must shrink by to be stored again, ≥ 1; default
         *              {@value #DEFAULT_RECOMPRESS_MIN_SAVED_BYTES}.
         */
        public Builder recompressMinSavedBytes(final int bytes)
        {
            if (bytes < 1)
            {
                throw new IllegalArgumentException("recompressMinSavedBytes must be >= 1, was " + bytes);
            }
            this.recompressMinSavedBytes = bytes;
            return this;
        }

        /**
         * {@return this}
         *
         * @param ms how often the background agent runs a pass, ≥ 0 (0: no agent, only {@link Zcache#recompress()}
         *           calls); default {@value #DEFAULT_RECOMPRESS_INTERVAL_MS}.
         */
        public Builder recompressIntervalMs(final long ms)
        {
            if (ms < 0)
            {
                throw new IllegalArgumentException("recompressIntervalMs must be >= 0, was " + ms);
            }
            this.recompressIntervalMs = ms;
            return this;
        }

        /**
         * {@return the backend}
         *
         * @throws IllegalArgumentException if the allocator name is unknown (the message lists the known ones).
         */
        public Zcache build()
        {
            final AllocatorProvider provider = AllocatorProvider.named(allocatorName);
            final PageMemory memory = PageMemory.builder().budgetBytes(budgetBytes).preTouch(preTouch).build();
            ObjectAllocator allocator = null;
            try
            {
                allocator = provider.create(memory, compaction);
                final int spares = spareCompressorSlots >= 0 ? spareCompressorSlots :
                    Math.min(SPARES_PER_SLOT * compressorSlots, CompressorPool.MAX_SLOTS - compressorSlots);
                final CompressorPool compressors = CompressorPool.create(
                    codecFactory == null ? codec::newCodec : codecFactory, compressorSlots, spares,
                    PageSizes.MAX, CompressorPool.SlotSelection.CPU);
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
