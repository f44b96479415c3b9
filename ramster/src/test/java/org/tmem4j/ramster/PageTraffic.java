package org.tmem4j.ramster;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.tmem4j.ramster.RedisFaultsTest.page;

/**
 * One thread of persistent puts and gets against a store while a test disturbs Redis: every page's last
 * acknowledged version is remembered (a put that failed forgets it, its bytes may or may not have landed), and every
 * get of a page with an acknowledged version that returns bytes must return exactly those.
 */
final class PageTraffic implements AutoCloseable
{
    private static final int PAGES = 2_000;

    private final RedisPageStore store;
    private final RemoteNamespace pool;
    private final Map<Integer, Integer> acknowledged = new ConcurrentHashMap<>();
    private final AtomicLong acknowledgements = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<AssertionError> wrong = new AtomicReference<>();
    private final Thread thread;

    PageTraffic(final RedisPageStore store, final RemoteNamespace pool)
    {
        this.store = store;
        this.pool = pool;
        this.thread = Thread.ofPlatform().name("page-traffic").start(this::run);
    }

    /**
     * Waits until {@code more} further puts were acknowledged: Redis takes writes (again).
     */
    void awaitAcknowledged(final String what, final long more)
    {
        final long target = acknowledgements.get() + more;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledgements.get() < target)
        {
            if (System.nanoTime() > deadline || wrong.get() != null)
            {
                throw new AssertionError("not within 60 s: " + what + " (" + store + ")", wrong.get());
            }
            RedisFixtures.sleep(20);
        }
    }

    /**
     * Stops the traffic, fails on any wrong bytes it read, then reads every acknowledged page (retrying while the
     * store cannot reach Redis, for at most 60 s) and checks its bytes.
     *
     * @return how many acknowledged pages were checked.
     */
    int stopAndVerify() throws InterruptedException
    {
        close();
        if (wrong.get() != null)
        {
            throw wrong.get();
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (final Map.Entry<Integer, Integer> entry : acknowledged.entrySet())
        {
            final int index = entry.getKey();
            RemotePage read = store.get(pool, index / 8, 0, 0, index, false);
            while (read == RedisPageStore.FAILED && System.nanoTime() < deadline)
            {
                RedisFixtures.sleep(50);
                read = store.get(pool, index / 8, 0, 0, index, false);
            }
            assertNotSame(RedisPageStore.FAILED, read, "acknowledged page " + index + " cannot be read: " + store);
            assertArrayEquals(page(index, entry.getValue()), read == null ? null : read.payload(),
                "acknowledged page " + index + ", version " + entry.getValue());
        }
        return acknowledged.size();
    }

    @Override
    public void close() throws InterruptedException
    {
        stop.set(true);
        thread.join(60_000);
    }

    private void run()
    {
        for (int i = 0; !stop.get(); i++)
        {
            final int index = i % PAGES;
            final int version = i / PAGES;
            if (store.put(pool, index / 8, 0, 0, index, 0, 4096, MemorySegment.ofArray(page(index, version)))
                == RedisPageStore.STORED)
            {
                acknowledged.put(index, version);
                acknowledgements.incrementAndGet();
            }
            else
            {
                acknowledged.remove(index);
            }
            final int probe = (i * 7919) % PAGES;
            final Integer expected = acknowledged.get(probe);
            final RemotePage read = store.get(pool, probe / 8, 0, 0, probe, false);
            if (expected != null && read != null && read != RedisPageStore.FAILED
                && !Arrays.equals(page(probe, expected), read.payload()))
            {
                wrong.compareAndSet(null, new AssertionError("wrong bytes for page " + probe + ", version "
                    + expected));
            }
        }
    }
}
