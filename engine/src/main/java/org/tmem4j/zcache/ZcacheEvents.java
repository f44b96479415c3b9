package org.tmem4j.zcache;

import org.tmem4j.concurrent.CpuCounters;
import org.tmem4j.concurrent.CpuCounters.Counter;

/**
 * The event counters of a {@link Zcache}, one set striped by CPU ({@link CpuCounters}): threads running at once
 * count on lines of their own CPU, however many threads there are, and the counters one put or get updates share
 * that line (the hot ones come first). Calls are not counted apart from their outcomes: puts are the stored and the
 * refused ones, gets the hits, misses and corrupt pages, so each call pays one increment, not two.
 */
final class ZcacheEvents
{
    private final CpuCounters counters = new CpuCounters(21);
    private int made;

    final Counter putsStored = next();
    final Counter getHits = next();
    final Counter getMisses = next();
    /** Bytes and pages of compressed persistent pages, for zcache's mean admission test. */
    final Counter persistentCompressedBytes = next();
    final Counter persistentCompressedPages = next();
    final Counter sameFilled = next();
    final Counter failedNoMemory = next();
    final Counter failedPoorCompression = next();
    final Counter compressPoor = next();
    final Counter evictions = next();
    final Counter flushPages = next();
    final Counter flushPagesFound = next();
    /** Puts stored uncompressed (raw) because they compress too poorly. */
    final Counter putsRaw = next();
    final Counter meanCompressPoor = next();
    final Counter persistentAteEphemeral = next();
    final Counter corruptPages = next();
    final Counter flushObjects = next();
    final Counter flushObjectPages = next();
    /** Pages the recompression agent stored again with its codec, and the bytes that saved. */
    final Counter recompressedPages = next();
    final Counter recompressSavedBytes = next();
    /** Idle pages the agent compressed and found not worth storing again. */
    final Counter recompressSkipped = next();

    private Counter next()
    {
        return counters.counter(made++);
    }
}
