package org.tmem4j.hardening;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine closed while threads put and get: every call racing the close either completes (a hit with exactly
 * the stored bytes) or throws {@link IllegalStateException} saying the engine (or the pool's backend) is closed;
 * nothing else, no wrong
 * bytes, and no crash (decompression must never read pool memory that the close has already given back to the OS).
 */
final class ConcurrentCloseTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int PAGE = 4096;
    private static final int PAGES = 1_500;
    private static final int ROUNDS = 4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zbud", "zsmalloc"})
    void closeRacingPutsAndGets(final String allocator) throws Exception
    {
        final FaultTally tally = new FaultTally("concurrent-close-" + allocator);
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        for (int round = 0; round < ROUNDS; round++)
        {
            final Zcache zcache = Zcache.builder().allocator(allocator).codec("lz4").budgetBytes(64L << 20).build();
            final int[] pools = {zcache.createPool(PoolKind.PERSISTENT, PAGE),
                zcache.createPool(PoolKind.EPHEMERAL, PAGE)};
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment page = arena.allocate(PAGE, PAGE);
                for (int p = 0; p < pools.length; p++)
                {
                    for (int i = 0; i < PAGES; i++)
                    {
                        VersionedPage.fill(page, PAGE, key(p, i), 1);
                        zcache.put(pools[p], 3, 0, 0, i, page);
                    }
                }
            }
            final CountDownLatch started = new CountDownLatch(3);
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++)
            {
                final long seed = SEED + round * 16L + t;
                final boolean writer = t == 2;
                threads.add(Thread.ofPlatform().start(() ->
                    hammer(zcache, pools, writer, seed, started, tally, failures)));
            }
            started.await();
            Thread.sleep(5 + round * 7L);
            zcache.close();
            tally.add("closes under traffic");
            for (final Thread thread : threads)
            {
                thread.join();
            }
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " failures (seed " + SEED + "), first: "
            + failures.peek());
        tally.print();
    }

    private static void hammer(final Zcache zcache, final int[] pools, final boolean writer, final long seed,
        final CountDownLatch started, final FaultTally tally, final ConcurrentLinkedQueue<String> failures)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(PAGE, PAGE);
            final MemorySegment expected = arena.allocate(PAGE, PAGE);
            started.countDown();
            while (true)
            {
                final int p = random.nextInt(pools.length);
                final int i = random.nextInt(PAGES);
                try
                {
                    if (writer)
                    {
                        VersionedPage.fill(page, PAGE, key(p, i), 1);
                        zcache.put(pools[p], 3, 0, 0, i, page);
                        tally.add("put completed");
                    }
                    else if (zcache.get(pools[p], 3, 0, 0, i, page))
                    {
                        if (VersionedPage.mismatch(page, expected, PAGE, key(p, i), 1) >= 0)
                        {
                            failures.add("wrong bytes for page " + i + " of pool " + pools[p] + " during close");
                        }
                        tally.add("get hit exact");
                    }
                    else
                    {
                        tally.add("get miss");
                    }
                }
                catch (final IllegalStateException ex)
                {
                    if (ex.getMessage() == null || !ex.getMessage().contains(" closed"))
                    {
                        failures.add("IllegalStateException not naming the close: " + ex);
                        ex.printStackTrace();
                    }
                    tally.add((writer ? "put" : "get") + " -> IllegalStateException: closed");
                    return;
                }
                catch (final RuntimeException ex)
                {
                    failures.add((writer ? "put" : "get") + " racing close threw " + ex);
                    ex.printStackTrace();
                    tally.add((writer ? "put" : "get") + " -> " + ex.getClass().getSimpleName());
                    return;
                }
            }
        }
    }

    private static long key(final int pool, final int index)
    {
        return ((long)pool << 32) | index;
    }
}
