package org.tmem4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.CounterValues;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Pages;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;

/**
 * The faults of real processes: a client JVM killed with SIGKILL mid-request, and the daemon killed with SIGKILL
 * under a client's frontswap and cleancache traffic, then restarted.
 */
class HostProcessTest
{
    @TempDir
    Path dir;

    @Test
    void aClientKilledMidRequestHasItsPoolsFreedAndOthersKeepTheirs() throws Exception
    {
        try (HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder().hostSocket(dir.resolve("h/host.sock"))
            .budgetBytes(16 << 20).build(), HostConfig.defaults());
            HostBackend stays = HostBackend.connect(daemon.socket(), 1);
            Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            final int pool = stays.createPersistentPool(4096);
            Pages.fill(page, 77);
            assertEquals(Backend.STORED, stays.put(pool, 0, 0, 0, 0, page));
            for (int round = 0; round < 2; round++)
            {
                try (ChildJvm client = ChildJvm.start(ClientMain.class, daemon.socket().toString()))
                {
                    assertEquals(2, daemon.clients());
                    assertTrue(daemon.zcache().stats().storedPages() > 200);
                    client.kill();
                }
                Conditions.await(() -> daemon.clients() == 1, "the killed client ends at the daemon");
                assertEquals(1, daemon.zcache().stats().storedPages(), "the killed client's pages are freed");
            }
            assertTrue(stays.get(pool, 0, 0, 0, 0, page));
            assertTrue(Pages.matches(page, 77));
        }
    }

    @Test
    void theDaemonKilledMidTrafficLosesNoPersistentPageAndComesBackThroughTheReplay() throws Exception
    {
        final Path socket = dir.resolve("h/host.sock");
        final String budget = Long.toString(64 << 20);
        final FrontendsConfig config = FrontendsConfig.builder().hostSocket(socket).hostSlots(3).build();
        final BackendRegistry registry = new BackendRegistry();
        ChildJvm daemon = ChildJvm.start(DaemonMain.class, socket.toString(), budget);
        try (Frontswap frontswap = Frontswap.create(registry, config);
            HostAttachment host = HostAttachment.start(registry, config, Duration.ofMillis(20)))
        {
            final Cleancache cleancache = Cleancache.create(registry, config);
            final SwapArea area = frontswap.swapOn(dir.resolve("app.swap"), 4096);
            final CleancacheFs fs = cleancache.initSharedFs(UUID.randomUUID());
            Conditions.await(() -> host.attachments() == 1, "attached to the first daemon");
            final int threads = 3;
            final Worker[] workers = new Worker[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Worker(area, fs, t);
            }
            try (ExecutorService pool = Executors.newFixedThreadPool(threads))
            {
                run(pool, workers, 3_000);
                final long inBackend = area.currPages();
                assertTrue(inBackend > 0, () -> "pages went to the first daemon; "
                    + CounterValues.describe(frontswap.counters()) + "; " + host.backend());
                // kill it while the workers run
                final List<Future<?>> running = start(pool, workers, 6_000);
                Conditions.await(() -> workers[0].ops.get() > 500, "traffic is flowing");
                daemon.kill();
                for (final Future<?> future : running)
                {
                    future.get();
                }
                Conditions.await(() -> host.backend() == null, "the gone daemon is unregistered");
                run(pool, workers, 2_000);
                assertEquals(0, area.currPages(), "with no daemon every page is in the swap file");
                daemon = ChildJvm.start(DaemonMain.class, socket.toString(), budget);
                Conditions.await(() -> host.attachments() == 2, "attached to the restarted daemon");
                run(pool, workers, 3_000);
                assertTrue(area.currPages() > 0, "the replayed swap area stores in the new daemon");
                long hits = 0;
                for (final Worker worker : workers)
                {
                    worker.checkAll();
                    hits += worker.cacheHits;
                }
                assertTrue(hits > 0, "cleancache hit in the daemons");
            }
        }
        finally
        {
            daemon.close();
        }
    }

    private static void run(final ExecutorService pool, final Worker[] workers, final int ops) throws Exception
    {
        for (final Future<?> future : start(pool, workers, ops))
        {
            future.get();
        }
    }

    private static List<Future<?>> start(final ExecutorService pool, final Worker[] workers, final int ops)
    {
        final List<Future<?>> futures = new ArrayList<>();
        for (final Worker worker : workers)
        {
            futures.add(pool.submit(() -> worker.run(ops)));
        }
        return futures;
    }

    /** One thread's swap slots and cached file pages, against a model; every load and hit checked byte for byte. */
    private static final class Worker
    {
        final SwapArea area;
        final CleancacheFs fs;
        final FileKey file;
        final SplittableRandom random;
        final int[] slots = new int[100];
        final long[] swapped = new long[100];
        final long[] cached = new long[100];
        final AtomicInteger ops = new AtomicInteger();
        long tag;
        long cacheHits;

        Worker(final SwapArea area, final CleancacheFs fs, final int id)
        {
            this.area = area;
            this.fs = fs;
            this.file = new FileKey(id + 1, 0, 0);
            this.random = new SplittableRandom(id);
            this.tag = (long)id << 40;
            for (int i = 0; i < slots.length; i++)
            {
                slots[i] = area.allocateSlot();
            }
        }

        Void run(final int count)
        {
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment page = arena.allocate(4096);
                for (int op = 0; op < count; op++)
                {
                    final int i = random.nextInt(slots.length);
                    switch (random.nextInt(4))
                    {
                        case 0 ->
                        {
                            Pages.fill(page, ++tag);
                            area.store(slots[i], page);
                            swapped[i] = tag;
                        }
                        case 1 ->
                        {
                            if (swapped[i] != 0)
                            {
                                assertTrue(area.load(slots[i], page), "slot " + slots[i]);
                                assertTrue(Pages.matches(page, swapped[i]), "slot " + slots[i] + " bytes");
                            }
                        }
                        case 2 ->
                        {
                            Pages.fill(page, ++tag);
                            fs.putPage(file, i, page);
                            cached[i] = tag;
                        }
                        default ->
                        {
                            // an ephemeral page may be gone (evicted, or its daemon died), never wrong
                            if (fs.getPage(file, i, page))
                            {
                                assertTrue(cached[i] != 0 && Pages.matches(page, cached[i]), "cached page " + i);
                                cacheHits++;
                            }
                            cached[i] = 0;
                        }
                    }
                    ops.incrementAndGet();
                }
            }
            return null;
        }

        void checkAll()
        {
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment page = arena.allocate(4096);
                for (int i = 0; i < slots.length; i++)
                {
                    if (swapped[i] != 0)
                    {
                        assertTrue(area.load(slots[i], page));
                        assertTrue(Pages.matches(page, swapped[i]), "slot " + slots[i] + " after the restart");
                    }
                }
                assertFalse(fs.isInvalidated());
            }
        }
    }
}
