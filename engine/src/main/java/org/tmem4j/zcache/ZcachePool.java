package org.tmem4j.zcache;

import java.util.function.LongConsumer;

import org.tmem4j.concurrent.CpuCounters;
import org.tmem4j.concurrent.CpuCounters.Counter;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.tmem.TmemPool;
import org.tmem4j.tmem.TmemPoolStats;

/**
 * What zcache keeps per pool besides its tmem index: its admission limits and its byte accounting.
 */
final class ZcachePool
{
    final TmemPool index;
    final int pageSize;
    final boolean persistent;
    /** Whether a get removes the page: always in ephemeral pools, in persistent ones with exclusive gets on. */
    final boolean exclusiveGets;
    /** Compressed length above which a page is {@code compress_poor}: 7/8 of a page, as zcache. */
    final int maxCompressedLength;
    /** Persistent pages above this are refused while the mean is above it too: 5/8 of a page, as zcache. */
    final int meanCompressedLimit;
    /** The pool's byte and same-filled page counts, striped by CPU as the engine's events are. */
    private final CpuCounters counts = new CpuCounters(2);
    final Counter compressedBytes = counts.counter(0);
    final Counter sameFilledPages = counts.counter(1);
    /** Frees a value taken out of this pool, with its accounting. */
    final LongConsumer freer;
    /** Its dictionaries ({@code zstd+dict}), or null. */
    final PoolDictionaries dictionaries;

    ZcachePool(final TmemPool index, final boolean exclusiveGets, final FreeAction free,
        final PoolDictionaries dictionaries)
    {
        this.dictionaries = dictionaries;
        this.index = index;
        this.pageSize = index.pageSize();
        this.persistent = index.kind() == PoolKind.PERSISTENT;
        this.exclusiveGets = !persistent || exclusiveGets;
        this.maxCompressedLength = pageSize / 8 * 7;
        this.meanCompressedLimit = pageSize / 8 * 5;
        this.freer = value -> free.free(this, value);
    }

    ZcachePoolStats stats()
    {
        final TmemPoolStats tmem = index.stats();
        return new ZcachePoolStats(tmem.id(), tmem.kind(), tmem.pageSize(), tmem.shared(), tmem.objects(),
            tmem.pages(), sameFilledPages.sum(), compressedBytes.sum(), tmem.metadataBytes());
    }

    /**
     * The backend's way to free a value of a pool.
     */
    @FunctionalInterface
    interface FreeAction
    {
        void free(ZcachePool pool, long value);
    }
}
