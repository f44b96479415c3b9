package org.tmem4j.concurrent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Counters striped by CPU lose no update: more threads than CPUs (so threads share stripes and move between CPUs
 * mid-update) add to every counter of a set at once, and the sums come out exact.
 */
final class CpuCountersTest
{
    private static final int THREADS = 8;
    private static final int ADDS = 200_000;

    @Test
    void concurrentAddsSumExactly() throws Exception
    {
        final CpuCounters counters = new CpuCounters(19);
        final CpuCounters.Counter last = counters.counter(18);
        final CountDownLatch start = new CountDownLatch(1);
        final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        try
        {
            final List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                workers.add(executor.submit(() ->
                {
                    start.await();
                    for (int i = 0; i < ADDS; i++)
                    {
                        counters.increment(i % 18);
                        last.add(3);
                        last.decrement();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (final Future<?> worker : workers)
            {
                worker.get();
            }
        }
        finally
        {
            executor.shutdownNow();
        }
        long total = 0;
        for (int c = 0; c < 18; c++)
        {
            total += counters.sum(c);
        }
        assertEquals((long)THREADS * ADDS, total);
        assertEquals((long)THREADS * ((ADDS + 17) / 18), counters.sum(0));
        assertEquals(2L * THREADS * ADDS, last.sum());
    }

    @Test
    void badCountersAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> new CpuCounters(0));
        assertThrows(IllegalArgumentException.class, () -> new CpuCounters(1025));
        final CpuCounters counters = new CpuCounters(2);
        assertThrows(IndexOutOfBoundsException.class, () -> counters.increment(2));
        assertThrows(IndexOutOfBoundsException.class, () -> counters.sum(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> counters.counter(2));
    }
}
