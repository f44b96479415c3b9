package org.tmem4j.zcache;

import java.util.concurrent.atomic.LongAdder;

/**
 * The event counters of a {@link Zcache}, one {@link LongAdder} each so that threads counting on different CPUs do
 * not share a cache line. Calls are not counted apart from their outcomes: puts are the stored and the refused
 * ones, gets the hits, misses and corrupt pages, so each call pays one increment, not two.
 */
final class ZcacheEvents
{
    final LongAdder putsStored = new LongAdder();
    /** Puts stored uncompressed (raw) because they compress too poorly. */
    final LongAdder putsRaw = new LongAdder();
    final LongAdder sameFilled = new LongAdder();
    final LongAdder failedNoMemory = new LongAdder();
    final LongAdder failedPoorCompression = new LongAdder();
    final LongAdder compressPoor = new LongAdder();
    final LongAdder meanCompressPoor = new LongAdder();
    final LongAdder persistentAteEphemeral = new LongAdder();
    final LongAdder getHits = new LongAdder();
    final LongAdder getMisses = new LongAdder();
    final LongAdder corruptPages = new LongAdder();
    final LongAdder flushPages = new LongAdder();
    final LongAdder flushPagesFound = new LongAdder();
    final LongAdder flushObjects = new LongAdder();
    final LongAdder flushObjectPages = new LongAdder();
    final LongAdder evictions = new LongAdder();
    /** Pages the recompression agent stored again with its codec, and the bytes that saved. */
    final LongAdder recompressedPages = new LongAdder();
    final LongAdder recompressSavedBytes = new LongAdder();
    /** Idle pages the agent compressed and found not worth storing again. */
    final LongAdder recompressSkipped = new LongAdder();
    /** Bytes and pages of compressed persistent pages, for zcache's mean admission test. */
    final LongAdder persistentCompressedBytes = new LongAdder();
    final LongAdder persistentCompressedPages = new LongAdder();
}
