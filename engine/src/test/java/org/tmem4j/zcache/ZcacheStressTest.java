package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Threads hammering one backend with private keys (each thread its own object, whose exact state it knows) and
 * shared keys (one object every thread puts, gets and flushes), with versioned payloads, while another thread
 * compacts, reads stats and lowers and raises the budget. Every hit must be a whole page some put stored — its
 * key, a version already issued, every byte of that version: never a torn mix of two puts — and a private
 * persistent page must come back exactly as its thread last stored it.
 */
final class ZcacheStressTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int THREADS = 4;
    private static final long BUDGET = 2 << 20;
    private static final int OPS = 25_000;
    private static final int PRIVATE_INDEXES = 64;
    private static final int SHARED_INDEXES = 32;
    private static final long SHARED_OID = 1000;

    @ParameterizedTest
    @CsvSource({"lz4, false, ", "zstd:-1, true, ", "zstd:1+dict, false, ", "lz4, true, zstd:9",
        "zstd:-5, false, zstd:9+dict"})
    void everyHitIsAWholeStoredPage(final String codec, final boolean checksum, final String strong) throws Exception
    {
        try (Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).codec(codec).checksum(checksum)
            .budgetBytes(BUDGET).compressorSlots(2).dictionarySampleBytes(64 << 10).dictionaryMigration(true)
            // a background agent recompressing every page it can, as often as it can, races the threads
            .recompress(strong).recompressIdleMs(0).recompressIntervalMs(1).recompressMinSavedBytes(1).build())
        {
            final int persistent = zcache.createSharedPool(PoolKind.PERSISTENT, 0xCAFE, 0xBABE, 4096);
            final int ephemeral = zcache.createPool(PoolKind.EPHEMERAL, 4096);
            final AtomicLongArray issued = new AtomicLongArray(2 * SHARED_INDEXES);
            final CountDownLatch start = new CountDownLatch(1);
            final AtomicBoolean running = new AtomicBoolean(true);
            final ExecutorService executor = Executors.newFixedThreadPool(THREADS + 1);
            try
            {
                final List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++)
                {
                    final int thread = t;
                    workers.add(executor.submit(() ->
                    {
                        start.await();
                        work(zcache, thread, persistent, ephemeral, issued);
                        return null;
                    }));
                }
                final Future<?> maintenance = executor.submit(() ->
                {
                    start.await();
                    final SplittableRandom random = new SplittableRandom(SEED);
                    while (running.get())
                    {
                        zcache.compact();
                        final ZcacheStats stats = zcache.stats();
                        assertTrue(stats.memory().reservedBytes() <= BUDGET, "budget exceeded; seed " + SEED);
                        zcache.budgetBytes(random.nextBoolean() ? BUDGET : BUDGET / 2);
                        Thread.sleep(2);
                    }
                    zcache.budgetBytes(BUDGET);
                    return null;
                });
                start.countDown();
                for (final Future<?> worker : workers)
                {
                    worker.get();
                }
                running.set(false);
                maintenance.get();
            }
            finally
            {
                executor.shutdownNow();
            }
            if (strong != null)
            {
                // waits for the agent's pass; every page is checked after this one, so the agent changes nothing more
                zcache.recompress();
            }
            final ZcacheStats stats = zcache.stats();
            System.out.printf("stress %s: %d puts, %d hits, %d misses, %d evictions, %d failed for memory%n",
                codec, stats.puts(), stats.getHits(), stats.getMisses(), stats.evictions(),
                stats.failedPutsNoMemory());
            ZcacheModelContract.assertBytesSettle(zcache, "seed " + SEED);
            assertTrue(stats.getHits() > 0 && stats.evictions() > 0, "the test must hit and evict; seed " + SEED);
            assertTrue(strong == null || stats.recompressedPages() > 0, "the agent recompressed nothing; seed " + SEED);
            zcache.destroyPool(persistent);
            zcache.destroyPool(ephemeral);
            assertEquals(0, ZcacheModelContract.settled(zcache, s -> s.allocator().objects() == 0).allocator().objects());
        }
    }

    private static void work(final Zcache zcache, final int thread, final int persistent, final int ephemeral,
        final AtomicLongArray issued)
    {
        final SplittableRandom random = new SplittableRandom(SEED + thread);
        final long[][] last = new long[2][PRIVATE_INDEXES];
        for (final long[] pool : last)
        {
            Arrays.fill(pool, -1);
        }
        long privateVersion = 0;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment dst = arena.allocate(4096);
            for (int op = 0; op < OPS; op++)
            {
                final int p = random.nextInt(2);
                final int pool = p == 0 ? persistent : ephemeral;
                final boolean shared = random.nextInt(3) == 0;
                final int index = random.nextInt(shared ? SHARED_INDEXES : PRIVATE_INDEXES);
                final long oid = shared ? SHARED_OID : thread;
                final int slot = p * SHARED_INDEXES + index;
                final long keyId = shared ? slot : 1_000_000L * (thread + 1) + p * PRIVATE_INDEXES + index;
                final int kind = random.nextInt(10);
                if (kind < 5)
                {
                    final long version = shared ? issued.incrementAndGet(slot) : ++privateVersion;
                    VersionedPage.fill(page, keyId, version);
                    final int result = zcache.put(pool, oid, 0, 0, index, page);
                    if (result != Zcache.STORED && result != Zcache.NO_MEMORY)
                    {
                        fail("put answered " + result + "; seed " + SEED);
                    }
                    if (!shared)
                    {
                        last[p][index] = result == Zcache.STORED ? version : -1;
                    }
                }
                else if (kind < 9)
                {
                    if (zcache.get(pool, oid, 0, 0, index, dst))
                    {
                        final long version = VersionedPage.check(dst, keyId, shared ? issued.get(slot) : privateVersion,
                            "seed " + SEED);
                        if (!shared && version != last[p][index])
                        {
                            fail("thread " + thread + " pool " + p + " index " + index + ": got version " + version +
                                ", last stored " + last[p][index] + "; seed " + SEED);
                        }
                    }
                    else if (!shared && p == 0 && last[p][index] != -1)
                    {
                        fail("thread " + thread + ": persistent page " + index + " version " + last[p][index] +
                            " lost; seed " + SEED);
                    }
                    if (!shared && p == 1)
                    {
                        last[p][index] = -1;
                    }
                }
                else
                {
                    zcache.flushPage(pool, oid, 0, 0, index);
                    if (!shared)
                    {
                        last[p][index] = -1;
                    }
                }
            }
        }
    }
}
