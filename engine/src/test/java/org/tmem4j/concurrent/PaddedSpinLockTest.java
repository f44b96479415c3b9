package org.tmem4j.concurrent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PaddedSpinLock} excludes: more threads than CPUs add to a plain field under it, half with {@code lock()} and
 * half with {@code tryLock()}, and no increment is lost; a held lock refuses {@code tryLock()} from another thread
 * until released.
 */
final class PaddedSpinLockTest
{
    /** A lock and the plain field it guards. */
    private static final class Guarded extends PaddedSpinLock
    {
        long value;
    }

    @Test
    void noIncrementIsLostUnderTheLock() throws InterruptedException
    {
        final Guarded guarded = new Guarded();
        final int threads = 8;
        final int increments = 100_000;
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final boolean trying = (t & 1) == 0;
            workers.add(Thread.ofPlatform().start(() ->
            {
                awaitQuietly(start);
                for (int i = 0; i < increments; i++)
                {
                    if (trying)
                    {
                        while (!guarded.tryLock())
                        {
                            Thread.onSpinWait();
                        }
                    }
                    else
                    {
                        guarded.lock();
                    }
                    try
                    {
                        guarded.value++;
                    }
                    finally
                    {
                        guarded.unlock();
                    }
                }
            }));
        }
        start.countDown();
        for (final Thread worker : workers)
        {
            worker.join();
        }
        guarded.lock();
        try
        {
            assertEquals((long)threads * increments, guarded.value);
        }
        finally
        {
            guarded.unlock();
        }
    }

    @Test
    void aHeldLockRefusesAnotherThreadUntilReleased() throws InterruptedException
    {
        final Guarded guarded = new Guarded();
        assertTrue(guarded.tryLock());
        final boolean[] taken = new boolean[2];
        final Thread other = Thread.ofPlatform().start(() -> taken[0] = guarded.tryLock());
        other.join();
        assertFalse(taken[0], "tryLock succeeded while another thread held the lock");
        guarded.unlock();
        final Thread after = Thread.ofPlatform().start(() ->
        {
            taken[1] = guarded.tryLock();
            guarded.unlock();
        });
        after.join();
        assertTrue(taken[1], "tryLock failed on a released lock");
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
