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
 * A pass over every pool that stores chosen pages again in another form, in the background: the recompression
 * agent's ({@link Recompression}: a stronger codec) and the dictionary migration's ({@link DictionaryMigration}:
 * the pool's current dictionary). Subclasses say which pages they want and compress them; the pass keeps every page
 * readable and never compresses under a bucket lock.
 * <pre>
 *   per bucket:  scan keys and values (all, or the coldest fraction) under the lock, then per page:
 *     lock:    still this value? wanted? -&gt; decompress it (as a get does)
 *     no lock: compress it anew; not worth it? -&gt; {@link #skipped} (which may look at the page again, locked)
 *              store the new form (never evicting for it)
 *     lock:    still this value? -&gt; swap in the new value (else the new form is freed: a put, get, flush or
 *              eviction won, and its page is the one that counts)
 *     no lock: free the old form
 * </pre>
 * No page is ever read from a form that is not its current one: a get sees the old value or the new one, both
 * whole. One pass of an instance at a time: it owns its buffers.
 */
abstract class PageRewriter implements AutoCloseable
{
    private static final int BATCH = 256;

    final StoredPages stored;
    final PageCodecs codecs;
    private final CompressorPool compressors;
    /** The share of each pool's pages, coldest first by its lists, a pass looks at; 0: every page. */
    private final double coldestFraction;
    /** Whether the budget has room for a new form before the old one is freed. */
    private final BooleanSupplier room;
    private final PageBatch batch = new PageBatch(BATCH);
    private final Arena arena = Arena.ofShared();
    private final MemorySegment page;
    private final Candidate candidate = new Candidate();
    private final PageReader<Candidate> reader = this::readUnderLock;

    PageRewriter(final StoredPages stored, final PageCodecs codecs, final CompressorPool compressors,
        final double coldestFraction, final BooleanSupplier room)
    {
        this.stored = stored;
        this.codecs = codecs;
        this.compressors = compressors;
        this.coldestFraction = coldestFraction;
        this.room = room;
        this.page = arena.allocate(compressors.maxPageSize(), 4096);
    }

    /**
     * Under the page's bucket lock: whether the pass stores this page again.
     *
     * @param pool   the page's pool.
     * @param header the stored page's header.
     */
    abstract boolean wants(ZcachePool pool, byte header);

    /**
     * Without lock: the page's new form, header first, into {@code slot.output()}.
     *
     * @param pool   the page's pool.
     * @param page   the page, native.
     * @param slot   a compressor slot held for the call.
     * @param header the page's header when it was read.
     * @param before the stored size of its payload now.
     * @return the stored length, header included, or ≤ 0 when the page stays as it is (no dictionary retained).
     */
    abstract int rewrite(ZcachePool pool, MemorySegment page, CompressorSlot slot, byte header, long before);

    /**
     * A page {@link #rewrite} left as it is.
     *
     * @param pool  the page's pool.
     * @param value the page's value when it was read: look at it only under its bucket lock (see {@link #reRead}).
     */
    abstract void skipped(ZcachePool pool, long value);

    /**
     * A page stored again.
     *
     * @param before its former payload bytes.
     * @param length its new stored length.
     */
    abstract void rewritten(long before, int length);

    /**
     * One pass over the pools; the caller holds the engine's drain gate and lets one pass of this instance run at
     * a time.
     *
     * @param pools   the pools.
     * @param stopped answers true once the engine closes: the pass then ends at the next bucket.
     * @return pages stored again.
     */
    final long pass(final ZcachePool[] pools, final BooleanSupplier stopped)
    {
        long rewritten = 0;
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
                    return rewritten;
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
                        rewritten += rewrite(pool, i) ? 1 : 0;
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
        return rewritten;
    }

    /**
     * Looks at the page of batch entry {@code i} again under its bucket lock, if it is still {@code value}.
     *
     * @return whether it was.
     */
    final <C> boolean reRead(final ZcachePool pool, final PageReader<C> underLock, final C context)
    {
        final int i = candidate.entry;
        return pool.index.read(batch.oidA(i), batch.oidB(i), batch.oidC(i), batch.index(i), underLock, context);
    }

    private boolean rewrite(final ZcachePool pool, final int i)
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
            seen.entry = i;
            seen.pool = pool;
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
                // a get reports and drops it; a pass leaves it as it is
                return false;
            }
            final long before = seen.payloadBytes;
            final int length = rewrite(pool, page, slot, seen.header, before);
            if (length <= 0)
            {
                skipped(pool, value);
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
            rewritten(before, length);
            return true;
        }
    }

    /** Under the bucket lock: is the page still this value, and wanted? Then take it out to the buffer. */
    private void readUnderLock(final long value, final Candidate seen)
    {
        if (value != seen.value)
        {
            return;
        }
        seen.header = stored.header(value);
        if (wants(seen.pool, seen.header))
        {
            // under the lock: once it is released the page may be overwritten and its object freed
            seen.payloadBytes = stored.payloadBytes(value);
            stored.load(value, seen.slot, seen.target, (int)seen.target.byteSize());
            seen.wanted = true;
        }
    }

    @Override
    public void close()
    {
        arena.close();
    }

    /**
     * What the pass saw of one page under its bucket lock.
     */
    private static final class Candidate
    {
        int entry;
        ZcachePool pool;
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
