package org.tmem4j.hardening;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Random page traffic on many threads, every answer checked against a model: each thread owns its keys (object ids
 * carry the thread's number), so its model of what the store holds is exact even while faults are injected.
 * <ul>
 *   <li>A persistent page that was stored and not flushed must hit, with exactly the bytes of its last put.</li>
 *   <li>An ephemeral page may miss at any time, but a hit must carry exactly the bytes of its last put, and takes
 *       the page out (exclusive gets).</li>
 *   <li>A put that fails leaves no page behind: the old version was replaced first, so a later hit with it is
 *       stale data (a "wrong hit").</li>
 * </ul>
 * Pages are {@link VersionedPage}s: every put writes a new version, so any stale or misplaced page is caught by its
 * bytes. The caller passes a fault script run on its own thread while the traffic runs; it watches
 * {@link #opsDone()} to flip faults at chosen points.
 */
final class CheckedTraffic
{
    /** How the test classifies an exception from the store: expected ones are counted, others fail the run. */
    interface ExceptionPolicy
    {
        /**
         * @return the outcome name to count it under, or null if the exception is a failure.
         */
        String classify(String op, RuntimeException ex);
    }

    private final PageStore store;
    private final int[] pools;
    private final boolean[] persistent;
    private final int pageSize;
    private final int threads;
    private final int objects;
    private final int indexes;
    private final long seed;
    private final FaultTally tally;
    private final AtomicLong opsDone = new AtomicLong();
    private final AtomicInteger running = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile ExceptionPolicy exceptions = (op, ex) -> null;
    private volatile boolean stopped;
    private volatile boolean wrongBytesCounted;

    /**
     * @param store      the store under test.
     * @param pools      pool ids to spread the traffic over.
     * @param persistent for each pool, whether it is persistent.
     * @param pageSize   the pools' page size.
     * @param threads    traffic threads.
     * @param objects    objects per thread and pool.
     * @param indexes    pages per object.
     * @param seed       the seed; thread {@code t} uses stream {@code seed + t}.
     * @param tally      where outcomes are counted.
     */
    CheckedTraffic(final PageStore store, final int[] pools, final boolean[] persistent, final int pageSize,
        final int threads, final int objects, final int indexes, final long seed, final FaultTally tally)
    {
        this.store = store;
        this.pools = pools.clone();
        this.persistent = persistent.clone();
        this.pageSize = pageSize;
        this.threads = threads;
        this.objects = objects;
        this.indexes = indexes;
        this.seed = seed;
        this.tally = tally;
    }

    /**
     * @param policy which exceptions from the store are expected outcomes (e.g. corruption detected).
     * @return this.
     */
    CheckedTraffic exceptions(final ExceptionPolicy policy)
    {
        this.exceptions = policy;
        return this;
    }

    /**
     * Counts hits with wrong bytes ({@code "get hit WRONG BYTES"}) instead of failing on them: for faults that no
     * check of the engine's can see, to measure how often they reach the caller.
     *
     * @return this.
     */
    CheckedTraffic countWrongBytes()
    {
        this.wrongBytesCounted = true;
        return this;
    }

    long opsDone()
    {
        return opsDone.get();
    }

    /**
     * Makes every thread stop after its current operation (for traffic bounded by time rather than count).
     */
    void stop()
    {
        stopped = true;
    }

    /**
     * Runs {@code totalOps} operations spread over the threads while {@code script} runs on this thread.
     *
     * @param totalOps operations over all threads.
     * @param script   receives this traffic; runs concurrently with it and should return once its faults are
     *                 done (it may wait on {@link #opsDone()}).
     * @return the failures seen, each a sentence naming the seed, thread, key and what went wrong (empty: none).
     */
    List<String> run(final long totalOps, final LongConsumer script) throws InterruptedException
    {
        final List<Thread> workers = new ArrayList<>();
        final long perThread = totalOps / threads;
        running.set(threads);
        for (int t = 0; t < threads; t++)
        {
            final int thread = t;
            workers.add(Thread.ofPlatform().name("traffic-" + t).start(() -> traffic(thread, perThread)));
        }
        script.accept(perThread * threads);
        for (final Thread worker : workers)
        {
            worker.join();
        }
        return List.copyOf(failures);
    }

    /**
     * Blocks until {@code ops} operations are done or the traffic has ended.
     */
    void awaitOps(final long ops)
    {
        while (opsDone.get() < ops && running.get() > 0)
        {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private void traffic(final int thread, final long ops)
    {
        final SplittableRandom random = new SplittableRandom(seed + thread);
        final long[][] versions = new long[pools.length][objects * indexes];
        long nextVersion = ((long)thread << 40) + 1;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(pageSize, 4096);
            final MemorySegment dst = arena.allocate(pageSize, 4096);
            final MemorySegment expected = arena.allocate(pageSize, 4096);
            for (long op = 0; op < ops && !stopped && failures.size() < 100; op++)
            {
                final int p = random.nextInt(pools.length);
                final int object = random.nextInt(objects);
                final int index = random.nextInt(indexes);
                final int slot = object * indexes + index;
                final long oidA = thread;
                final long oidB = object;
                final long oidC = p;
                final long key = ((long)thread << 48) ^ ((long)p << 40) ^ ((long)object << 20) ^ index;
                final int kind = random.nextInt(1000);
                try
                {
                    if (kind < 550)
                    {
                        final long version = nextVersion++;
                        VersionedPage.fill(page, pageSize, key, version);
                        final int result = store.put(pools[p], oidA, oidB, oidC, index, page);
                        if (result == 0)
                        {
                            versions[p][slot] = version;
                            tally.add("put stored");
                        }
                        else
                        {
                            versions[p][slot] = 0;
                            tally.add("put failed (" + result + ")");
                        }
                    }
                    else if (kind < 950)
                    {
                        final long version = versions[p][slot];
                        final boolean hit = store.get(pools[p], oidA, oidB, oidC, index, dst);
                        if (hit)
                        {
                            if (version == 0)
                            {
                                fail(thread, p, object, index, "hit on a page that was never stored, was flushed, or "
                                    + "whose last put failed (stale or foreign data)");
                            }
                            else
                            {
                                final long at = VersionedPage.mismatch(dst, expected, pageSize, key, version);
                                if (at >= 0 && wrongBytesCounted)
                                {
                                    tally.add("get hit WRONG BYTES");
                                }
                                else if (at >= 0)
                                {
                                    fail(thread, p, object, index, "hit with wrong bytes from offset " + at
                                        + " (version " + version + ")");
                                }
                            }
                            tally.add("get hit exact");
                            if (!persistent[p])
                            {
                                versions[p][slot] = 0;
                            }
                        }
                        else
                        {
                            if (persistent[p] && version != 0)
                            {
                                fail(thread, p, object, index, "persistent page lost: stored version " + version
                                    + " missed");
                            }
                            tally.add(version == 0 ? "get miss (absent)" : "get miss (ephemeral dropped)");
                            versions[p][slot] = 0;
                        }
                    }
                    else if (kind < 995)
                    {
                        final boolean was = store.flushPage(pools[p], oidA, oidB, oidC, index);
                        if (persistent[p] && versions[p][slot] != 0 && !was)
                        {
                            fail(thread, p, object, index, "flushPage found no persistent page where one was stored");
                        }
                        versions[p][slot] = 0;
                        tally.add("flush page");
                    }
                    else
                    {
                        store.flushObject(pools[p], oidA, oidB, oidC);
                        for (int i = 0; i < indexes; i++)
                        {
                            versions[p][object * indexes + i] = 0;
                        }
                        tally.add("flush object");
                    }
                }
                catch (final RuntimeException ex)
                {
                    final String op0 =
                        kind < 550 ? "put" : kind < 950 ? "get" : kind < 995 ? "flushPage" : "flushObject";
                    final String outcome = exceptions.classify(op0, ex);
                    if (outcome == null)
                    {
                        fail(thread, p, object, index, op0 + " threw " + ex);
                        ex.printStackTrace();
                    }
                    else
                    {
                        tally.add(outcome);
                        // after a failed operation the page's state is unknown to the model: make it absent
                        store.flushPage(pools[p], oidA, oidB, oidC, index);
                        versions[p][slot] = 0;
                    }
                }
                opsDone.incrementAndGet();
            }
        }
        catch (final RuntimeException | Error ex)
        {
            failures.add("thread " + thread + " died: " + ex);
            ex.printStackTrace();
        }
        finally
        {
            running.decrementAndGet();
        }
    }

    private void fail(final int thread, final int p, final int object, final int index, final String what)
    {
        failures.add("seed " + seed + ", thread " + thread + ", pool " + pools[p] + (persistent[p] ? " (persistent)"
            : " (ephemeral)") + ", object " + object + ", index " + index + ": " + what);
    }
}
