package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * zcache moving its coldest pages to a tier while threads put, get, flush and destroy nothing but their own keys,
 * and a chaos thread makes the tier refuse now and then: a persistent page put and not flushed is always found (in
 * zcache or below) with its last bytes; an ephemeral hit always has the last bytes put; no get ever returns an older
 * page, though moves, overwrites, flushes and exclusive gets of the same key race each other. The key locks are what
 * this checks: without them, a page moved down after it was overwritten or taken would come back.
 */
class ZcacheLowerTierConcurrencyTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", 20261206L);
    private static final int THREADS = 4;
    private static final int KEYS_PER_THREAD = 256;

    @Test
    void noGetReturnsAnOlderPageWhilePagesMoveDown() throws Exception
    {
        final MapLowerTier tier = new MapLowerTier();
        try (Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(256L << 10)
            .compressorSlots(2).buckets(4).checksum(true).lowerTier(tier).build())
        {
            final int[] pools = {zcache.createPool(PoolKind.EPHEMERAL, 4096),
                zcache.createPool(PoolKind.PERSISTENT, 4096)};
            final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                threads.add(Thread.ofPlatform().start(() ->
                {
                    try
                    {
                        run(zcache, pools, thread);
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(ex);
                    }
                }));
            }
            final Thread chaos = Thread.ofPlatform().start(() ->
            {
                final SplittableRandom random = new SplittableRandom(SEED);
                while (threads.stream().anyMatch(Thread::isAlive))
                {
                    tier.accepting = random.nextInt(4) != 0;
                    Thread.onSpinWait();
                }
                tier.accepting = true;
            });
            for (final Thread thread : threads)
            {
                thread.join();
            }
            chaos.join();
            if (!failures.isEmpty())
            {
                throw new AssertionError(failures.peek());
            }
            assertTrue(zcache.lowerTierStats().remotified() > 0 && zcache.lowerTierStats().repatriated() > 0,
                zcache.lowerTierStats().toString());
        }
    }

    /**
     * One thread's keys: object {@code thread}, indexes 0 to {@value #KEYS_PER_THREAD} - 1, in both pools.
     */
    private static void run(final Zcache zcache, final int[] pools, final int thread)
    {
        final SplittableRandom random = new SplittableRandom(SEED + 1 + thread);
        final long[][] ids = new long[2][KEYS_PER_THREAD];
        long nextId = 1;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment expected = arena.allocate(4096);
            for (int op = 0; op < 20_000; op++)
            {
                final int p = random.nextInt(2);
                final int index = random.nextInt(KEYS_PER_THREAD);
                final int kind = random.nextInt(10);
                final String where = "thread " + thread + " op " + op + " pool " + p + " index " + index;
                if (kind < 5)
                {
                    long id;
                    do
                    {
                        id = nextId++;
                    }
                    while (PageContent.isIncompressible(id));
                    PageContent.fill(page, 4096, SEED, id);
                    final int result = zcache.put(pools[p], thread, 7, 7, index, page);
                    ids[p][index] = result == Zcache.STORED ? id : 0;
                    if (p == 1 && result != Zcache.STORED && zcache.lowerTierStats().refused() == 0)
                    {
                        throw new AssertionError(where + ": a persistent put failed though the tier took all");
                    }
                }
                else if (kind < 9)
                {
                    final boolean hit = zcache.get(pools[p], thread, 7, 7, index, page);
                    final long id = ids[p][index];
                    if (hit)
                    {
                        if (id == 0)
                        {
                            throw new AssertionError(where + ": a hit on a page flushed, taken or never put");
                        }
                        PageContent.fill(expected, 4096, SEED, id);
                        if (expected.mismatch(page) != -1)
                        {
                            throw new AssertionError(where + ": an older page came back, not page " + id);
                        }
                    }
                    else if (p == 1 && id != 0)
                    {
                        throw new AssertionError(where + ": persistent page " + id + " lost");
                    }
                    if (p == 0)
                    {
                        ids[p][index] = 0;
                    }
                }
                else
                {
                    zcache.flushPage(pools[p], thread, 7, 7, index);
                    ids[p][index] = 0;
                }
            }
        }
    }
}
