package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BooleanSupplier;

import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.codec.CompressorPool;
import org.tmem4j.codec.CompressorSlot;
import org.tmem4j.codec.CorruptDataException;
import org.tmem4j.tmem.PageBatch;
import org.tmem4j.tmem.PageReader;
import org.tmem4j.tmem.TmemPool;

/**
 * zram's {@code recompress}: passes over every pool that store cold pages again with a stronger codec when that
 * saves at least {@code minSavedBytes}. One pass at a time (the background agent's or a caller's). Cold means idle
 * for the configured time (the page header's put epoch, see {@link PageCodecs#isCandidate}), or, with a coldest
 * fraction, among that fraction of each pool's pages by its put-order lists: the oldest of every bucket's list, as
 * many as the fraction of the pages listed so far less what earlier buckets gave (so the pool's total is its
 * fraction, rounded; with puts spread over buckets by hash, the oldest of each bucket are the oldest of the pool).
 * <pre>
 *   per bucket:  scan keys and values (all, or the coldest fraction) under the lock, then per page:
 *     lock:    still this value? header not checked and idle? -&gt; decompress it (as a get does)
 *     no lock: compress with the strong codec; saves too little? -&gt; lock: still this value? mark it checked
 *              store the new form (never evicting for it)
 *     lock:    still this value? -&gt; swap in the new value (else the new form is freed: a put, get, flush or
 *              eviction won, and its page is the one that counts)
 *     no lock: free the old form
 * </pre>
 * No compression runs under a bucket lock, and no page is ever read from a form that is not its current one: a get
 * sees the old value or the new one, both whole.
 */
final class Recompression implements AutoCloseable
{
    private static final int BATCH = 256;

    private final StoredPages stored;
    private final PageCodecs codecs;
    private final CompressorPool compressors;
    private final ZcacheEvents events;
    private final int minSavedBytes;
    /** The share of each pool's pages, coldest first by its lists, a pass looks at; 0: every page (idle rule). */
    private final double coldestFraction;
    /** Whether the budget has room for a new form before the old one is freed. */
    private final BooleanSupplier room;
    private final PageBatch batch = new PageBatch(BATCH);
    private final Arena arena = Arena.ofShared();
    private final MemorySegment page;
    private final MemorySegment object;
    private final Candidate candidate = new Candidate();
    private final PageReader<Candidate> reader = this::readUnderLock;
    private final PageReader<Candidate> marker = this::markUnderLock;

    Recompression(final StoredPages stored, final PageCodecs codecs, final CompressorPool compressors,
        final ZcacheEvents events, final int minSavedBytes, final double coldestFraction, final BooleanSupplier room)
    {
        this.coldestFraction = coldestFraction;
        this.room = room;
        this.stored = stored;
        this.codecs = codecs;
        this.compressors = compressors;
        this.events = events;
        this.minSavedBytes = minSavedBytes;
        this.page = arena.allocate(compressors.maxPageSize(), 4096);
        this.object = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE, 64);
    }

    /**
     * One pass over the pools; the caller holds the engine's drain gate and lets one pass run at a time.
     *
     * @param pools   the pools.
     * @param stopped answers true once the engine closes: the pass then ends at the next bucket.
     * @return pages recompressed.
     */
    long pass(final ZcachePool[] pools, final BooleanSupplier stopped)
    {
        long recompressed = 0;
        for (final ZcachePool pool : pools)
        {
            final TmemPool index = pool.index;
            final boolean coldest = coldestFraction > 0;
            long listed = 0;
            long taken = 0;
            for (int bucket = 0; bucket < index.buckets() && !index.isDestroyed(); bucket++)
            {
                if (stopped.getAsBoolean())
                {
                    return recompressed;
                }
                try
                {
                    if (coldest)
                    {
                        // the pool's fraction of the pages listed so far, rounded, less what earlier buckets gave
                        listed += index.listedPages(bucket);
                        final int pages = (int)(Math.round(coldestFraction * listed) - taken);
                        taken += pages;
                        index.scanOldest(bucket, pages, batch);
                    }
                    else
                    {
                        index.scanBucket(bucket, batch);
                    }
                    for (int i = 0; i < batch.size(); i++)
                    {
                        recompressed += recompress(pool, i) ? 1 : 0;
                    }
                }
                catch (final IllegalStateException ex)
                {
                    if (!index.isDestroyed())
                    {
                        throw ex;
                    }
                    // destroyed meanwhile: its pages are freed with it
                }
            }
        }
        return recompressed;
    }

    private boolean recompress(final ZcachePool pool, final int i)
    {
        final long value = batch.value(i);
        if (PageValue.isSameFilled(value) || PageValue.isSpanned(value))
        {
            return false;
        }
        final long a = batch.oidA(i);
        final long b = batch.oidB(i);
        final long c = batch.oidC(i);
        final int index = batch.index(i);
        try (CompressorSlot slot = compressors.acquire())
        {
            final Candidate seen = candidate;
            seen.value = value;
            seen.slot = slot;
            seen.target = pool.pageSize == page.byteSize() ? page : page.asSlice(0, pool.pageSize);
            seen.wanted = false;
            try
            {
                if (!pool.index.read(a, b, c, index, reader, seen) || !seen.wanted)
                {
                    return false;
                }
            }
            catch (final CorruptDataException ex)
            {
                // a get reports and drops it; the agent leaves it as it is
                return false;
            }
            final long before = seen.payloadBytes;
            final int length = codecs.recompress(pool, page, slot.output(), seen.header);
            if (length <= 0 || length + minSavedBytes > before)
            {
                if (length > 0)
                {
                    codecs.release(slot.output().get(ValueLayout.JAVA_BYTE, 0));
                }
                pool.index.read(a, b, c, index, marker, seen);
                events.recompressSkipped.increment();
                return false;
            }
            final long replacement = room.getAsBoolean() ? stored.storeIfRoom(pool, slot, length, page) :
                ObjectAllocator.NO_MEMORY;
            if (replacement < 0)
            {
                codecs.release(slot.output().get(ValueLayout.JAVA_BYTE, 0));
                return false;
            }
            final boolean replaced;
            try
            {
                replaced = pool.index.replaceIf(a, b, c, index, value, replacement);
            }
            catch (final IllegalStateException destroyed)
            {
                stored.free(pool, replacement);
                throw destroyed;
            }
            if (!replaced)
            {
                stored.free(pool, replacement);
                return false;
            }
            stored.free(pool, value);
            events.recompressedPages.increment();
            events.recompressSavedBytes.add(before - length);
            return true;
        }
    }

    /** Under the bucket lock: is the page still this value, unchecked and idle? Then take it out to the buffer. */
    private void readUnderLock(final long value, final Candidate seen)
    {
        if (value != seen.value)
        {
            return;
        }
        seen.header = stored.header(value);
        if (codecs.isCandidate(seen.header))
        {
            // under the lock: once it is released the page may be overwritten and its object freed
            seen.payloadBytes = stored.payloadBytes(value);
            stored.load(value, seen.slot, seen.target, (int)seen.target.byteSize());
            seen.wanted = true;
        }
    }

    /** Under the bucket lock: still the same value? Then the agent need not look at it again. */
    private void markUnderLock(final long value, final Candidate seen)
    {
        if (value == seen.value)
        {
            stored.markChecked(value, object);
        }
    }

    @Override
    public void close()
    {
        arena.close();
    }

    /**
     * What the agent saw of one page under its bucket lock.
     */
    private static final class Candidate
    {
        long value;
        CompressorSlot slot;
        /** The page buffer cut to the pool's page size, made before the lock is taken. */
        MemorySegment target;
        byte header;
        /** The stored size of the page's payload, read under the lock. */
        long payloadBytes;
        boolean wanted;
    }
}
