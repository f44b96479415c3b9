package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BooleanSupplier;

import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.codec.CompressorPool;
import org.tmem4j.codec.CompressorSlot;
import org.tmem4j.tmem.PageReader;

/**
 * zram's {@code recompress}: passes over every pool that store cold pages again with a stronger codec when that
 * saves at least {@code minSavedBytes} ({@link PageRewriter} keeps them readable meanwhile). One pass at a time (the
 * background agent's or a caller's). Cold means idle for the configured time (the page header's put epoch, see
 * {@link PageCodecs#isCandidate}), or, with a coldest fraction, among that fraction of each pool's pages by its
 * put-order lists: the oldest of every bucket's list, as many as the fraction of the pages listed so far less what
 * earlier buckets gave (so the pool's total is its fraction, rounded; with puts spread over buckets by hash, the
 * oldest of each bucket are the oldest of the pool). A page that saves too little is marked checked, under its
 * bucket lock if it is still the same value, so that no later pass compresses it again.
 */
final class Recompression extends PageRewriter
{
    private final ZcacheEvents events;
    private final int minSavedBytes;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment object;
    private final PageReader<Long> marker = this::markUnderLock;

    Recompression(final StoredPages stored, final PageCodecs codecs, final CompressorPool compressors,
        final ZcacheEvents events, final int minSavedBytes, final double coldestFraction, final BooleanSupplier room)
    {
        super(stored, codecs, compressors, coldestFraction, room);
        this.events = events;
        this.minSavedBytes = minSavedBytes;
        this.object = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE, 64);
    }

    @Override
    boolean wants(final ZcachePool pool, final byte header)
    {
        return codecs.isCandidate(header);
    }

    @Override
    int rewrite(final ZcachePool pool, final MemorySegment page, final CompressorSlot slot, final byte header,
        final long before)
    {
        final int length = codecs.recompress(pool, page, slot.output(), header);
        if (length > 0 && length + minSavedBytes > before)
        {
            codecs.release(slot.output().get(ValueLayout.JAVA_BYTE, 0));
            return 0;
        }
        return length;
    }

    @Override
    void skipped(final ZcachePool pool, final long value)
    {
        reRead(pool, marker, value);
        events.recompressSkipped.increment();
    }

    @Override
    void rewritten(final long before, final int length)
    {
        events.recompressedPages.increment();
        events.recompressSavedBytes.add(before - length);
    }

    /** Under the bucket lock: still the same value? Then the agent need not look at it again. */
    private void markUnderLock(final long value, final Long seen)
    {
        if (value == seen)
        {
            stored.markChecked(value, object);
        }
    }

    @Override
    public void close()
    {
        super.close();
        arena.close();
    }
}
