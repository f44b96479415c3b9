package org.tmem4j.zcache;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.tmem4j.codec.CompressorPool;
import org.tmem4j.codec.CompressorSlot;

/**
 * Moves the pages of superseded dictionaries to their pool's current one, so that the old dictionaries are freed
 * with their last page: a pool that made a new dictionary otherwise keeps every older one alive for as long as one
 * of its pages lives (twelve 64 KiB dictionaries of a JVM's memory, most of them holding few pages). Runs on the
 * engine's dictionary thread after a dictionary replaced its pool's current one, as a {@link PageRewriter} pass (no
 * compression under a bucket lock; a page read, overwritten or flushed meanwhile keeps its current form).
 * <p>
 * A page moves when its new form is at most its share of its old dictionary's bytes larger than its present one
 * ({@link PageCodecs#migrate}): moving every page of a dictionary then never costs more than the dictionary
 * itself, which is freed; a page that the current dictionary compresses much worse (an index page of a table whose
 * later dictionary was made of rows) stays, and keeps its dictionary. Pages the recompression agent has been
 * through are left to it.
 * <p>
 * A page put with the old dictionary while the new one was being installed may be linked after the pass went by its
 * bucket: it keeps the old dictionary until the next pass (the next supersession in its pool), or until it is
 * overwritten or flushed. Off by default ({@link Zcache.Builder#dictionaryMigration}): in the study's fills the passes
 * took a core from the puts and gained nothing measurable (README, round 6).
 */
final class DictionaryMigration extends PageRewriter
{
    private final AtomicLong migrated = new AtomicLong();

    DictionaryMigration(final StoredPages stored, final PageCodecs codecs, final CompressorPool compressors,
        final BooleanSupplier room)
    {
        super(stored, codecs, compressors, 0, room);
    }

    @Override
    boolean wants(final ZcachePool pool, final byte header)
    {
        return codecs.isSuperseded(pool, header);
    }

    @Override
    int rewrite(final ZcachePool pool, final MemorySegment page, final CompressorSlot slot, final byte header,
        final long before)
    {
        return codecs.migrate(pool, page, slot, header, before);
    }

    @Override
    void skipped(final ZcachePool pool, final long value)
    {
        // it keeps its dictionary; the next pass looks at it again, when its dictionary holds fewer pages
    }

    @Override
    void rewritten(final long before, final int length)
    {
        migrated.incrementAndGet();
    }

    /**
     * {@return pages moved to their pool's current dictionary since the engine was built}
     */
    long migrated()
    {
        return migrated.get();
    }
}
