package org.tmem4j.hardening;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.CounterValues;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.TinyTmpfs;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Frontswap over a swap file that fails under it: full (a 1 MiB tmpfs), failing every read and write (EIO injected
 * by a seccomp filter on one thread), deleted or replaced by another file, used by interrupted threads on every path,
 * and asked for twice. A checker remembers the version of every slot; every page a store accepted must load back
 * bit-exact, a store that throws must leave its slot empty, and no fault may cost another page. Each test prints its
 * counts (operations, faults injected, pages verified) as {@code FAULT} lines.
 */
final class SwapFileFaultsTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", 20261206L);
    private static final FrontendsConfig CONFIG = FrontendsConfig.defaults();

    @TempDir
    Path dir;

    @Test
    void aFullSwapFileNeverCostsAStoredPage() throws Exception
    {
        final FaultTally tally = new FaultTally("swapfile-full-tmpfs");
        final BackendRegistry registry = new BackendRegistry();
        try (TinyTmpfs tmpfs = TinyTmpfs.mount(dir, "1m");
             Frontswap frontswap = Frontswap.create(registry, CONFIG);
             Checker checker = new Checker(frontswap.swapOn(tmpfs.resolve("full.swap"), 1024), tally))
        {
            final SplittableRandom random = new SplittableRandom(SEED);
            registry.register("zcache", CONFIG);
            for (int op = 0; op < 20_000; op++)
            {
                final int kind = random.nextInt(1000);
                if (kind < 4)
                {
                    toggleBackend(registry, tally);
                }
                else if (kind < 30)
                {
                    final long target = random.nextInt(400);
                    tally.add("op shrink");
                    expectFull(() -> checker.area.shrink(target), tally, "shrink");
                }
                else
                {
                    checker.randomSlotOp(random, random.nextInt(1024), Callable::call, UncheckedIOException.class);
                }
            }
            checker.verifyAll("after the traffic");
            if (registry.backend() != null)
            {
                expectFull(registry::unregister, tally, "unregister");
            }
            checker.verifyAll("after a last unregistration into the full file");
            tmpfs.resize("8m");
            registry.unregister();
            checker.verifyAll("with room made, backend gone: every page from the file");
        }
        assertTrue(tally.count("fault injected: ENOSPC on store") > 0, "no store met the full file");
        assertTrue(tally.count("fault injected: ENOSPC on unregister") > 0, "no unregistration met the full file");
        tally.print();
    }

    @Test
    void aFileFailingEveryReadAndWriteNeverCostsAStoredPage() throws Exception
    {
        final FaultTally tally = new FaultTally("swapfile-eio");
        final BackendRegistry registry = new BackendRegistry();
        try (FailingFileIo failing = FailingFileIo.start();
             Frontswap frontswap = Frontswap.create(registry, CONFIG);
             Checker checker = new Checker(frontswap.swapOn(dir.resolve("eio.swap"), 512), tally))
        {
            Assumptions.assumeTrue(failing != null, "cannot install a seccomp filter here");
            final SplittableRandom random = new SplittableRandom(SEED + 1);
            registry.register("zcache", CONFIG);
            for (int op = 0; op < 20_000; op++)
            {
                final boolean onFailingThread = random.nextInt(3) == 0;
                final Checker.Runner runner = onFailingThread ? failing::call : Callable::call;
                final int kind = random.nextInt(1000);
                if (kind < 8)
                {
                    toggleBackend(registry, tally);
                }
                else if (kind < 20)
                {
                    final long target = random.nextInt(256);
                    tally.add("op shrink");
                    try
                    {
                        runner.run(() -> checker.area.shrink(target));
                    }
                    catch (final UncheckedIOException ex)
                    {
                        assertTrue(onFailingThread, ex::toString);
                        tally.add("fault injected: EIO on shrink");
                    }
                }
                else if (kind < 28 && registry.backend() != null)
                {
                    tally.add("op unregister");
                    try
                    {
                        runner.run(registry::unregister);
                    }
                    catch (final IllegalStateException ex)
                    {
                        assertTrue(onFailingThread && ex.getMessage().contains("stays registered"), ex::toString);
                        tally.add("fault injected: EIO on unregister (refused)");
                    }
                }
                else
                {
                    checker.randomSlotOp(random, random.nextInt(512), runner, UncheckedIOException.class);
                }
            }
            checker.verifyAll("after the traffic");
            registry.unregister();
            checker.verifyAll("backend gone: every page from the file");
        }
        assertTrue(tally.count("fault injected: EIO on load") > 0, "no load met the failing file");
        assertTrue(tally.count("fault injected: EIO on store") > 0, "no store met the failing file");
        tally.print();
    }

    @Test
    void writebackIntoAFileFailingEveryReadAndWriteNeverCostsAStoredPage() throws Exception
    {
        final FaultTally tally = new FaultTally("swapfile-eio-writeback");
        final FrontendsConfig writeback = FrontendsConfig.builder().budgetBytes(128L << 10).writeback(true).build();
        final BackendRegistry registry = new BackendRegistry();
        try (FailingFileIo failing = FailingFileIo.start();
             Frontswap frontswap = Frontswap.create(registry, writeback);
             Checker checker = new Checker(frontswap.swapOn(dir.resolve("eio-writeback.swap"), 512), tally))
        {
            Assumptions.assumeTrue(failing != null, "cannot install a seccomp filter here");
            final SplittableRandom random = new SplittableRandom(SEED + 2);
            registry.register("zcache", writeback);
            for (int op = 0; op < 20_000; op++)
            {
                final boolean onFailingThread = random.nextInt(3) == 0;
                checker.randomSlotOp(random, random.nextInt(512), onFailingThread ? failing::call : Callable::call,
                    UncheckedIOException.class);
            }
            checker.verifyAll("after the traffic");
            final long writtenBack = CounterValues.read(frontswap.counters(), "written_back");
            final long refused = CounterValues.read(frontswap.counters(), "writeback_failures");
            tally.add("pages written back", writtenBack);
            tally.add("fault injected: EIO on writeback (page stayed in zcache)", refused);
            assertTrue(writtenBack > 0, "no page was written back");
            assertTrue(refused > 0, "no writeback met the failing file");
            registry.unregister();
            checker.verifyAll("backend gone: every page from the file");
        }
        tally.print();
    }


    @Test
    void interruptedThreadsAndAFileDeletedReplacedAndAskedForTwiceNeverCostAPage() throws Exception
    {
        final FaultTally tally = new FaultTally("swapfile-interrupts-path");
        final int threads = 3;
        final int slotsPerThread = 256;
        final BackendRegistry registry = new BackendRegistry();
        final Path path = dir.resolve("moving.swap");
        try (Frontswap frontswap = Frontswap.create(registry, CONFIG);
             Checker checker = new Checker(frontswap.swapOn(path, threads * slotsPerThread), tally))
        {
            registry.register("zcache", CONFIG);
            final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            final AtomicBoolean done = new AtomicBoolean();
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int first = t * slotsPerThread;
                final SplittableRandom random = new SplittableRandom(SEED + 10 + t);
                workers.add(Thread.ofPlatform().name("worker-" + t).start(() ->
                {
                    try
                    {
                        for (int op = 0; op < 20_000 && failures.isEmpty(); op++)
                        {
                            final boolean interrupt = random.nextInt(3) == 0;
                            checker.randomSlotOp(random, first + random.nextInt(slotsPerThread),
                                interrupted(interrupt, tally), null);
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(ex);
                    }
                }));
            }
            final SplittableRandom random = new SplittableRandom(SEED + 20);
            final Thread chaos = Thread.ofPlatform().name("chaos").start(() ->
            {
                try
                {
                    while (!done.get() && failures.isEmpty())
                    {
                        pathOrBackendFault(random, path, checker.area, frontswap, registry, tally);
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            });
            for (final Thread worker : workers)
            {
                worker.join();
            }
            done.set(true);
            chaos.join();
            if (!failures.isEmpty())
            {
                final AssertionError error = new AssertionError(failures.size() + " threads failed (seed " + SEED
                    + ")", failures.peek());
                failures.forEach(error::addSuppressed);
                throw error;
            }
            checker.verifyAll("after the traffic");
            Thread.currentThread().interrupt();
            try
            {
                if (registry.backend() != null)
                {
                    registry.unregister();
                }
                checker.verifyAll("unregistered from an interrupted thread");
                tally.add("interrupted op unregister");
                checker.area.close();
                assertTrue(Thread.currentThread().isInterrupted(), "swapoff keeps the interrupt status");
                tally.add("interrupted op swapoff");
            }
            finally
            {
                Thread.interrupted();
            }
            assertTrue(checker.area.isClosed());
        }
        tally.print();
    }

    /** One fault of the chaos thread: on the path, on the backend, or a second swapon of the live file. */
    private static void pathOrBackendFault(final SplittableRandom random, final Path path, final SwapArea area,
        final Frontswap frontswap, final BackendRegistry registry, final FaultTally tally) throws IOException
    {
        final boolean interrupt = random.nextBoolean();
        if (interrupt)
        {
            Thread.currentThread().interrupt();
        }
        try
        {
            switch (random.nextInt(5))
            {
                case 0 ->
                {
                    if (Files.deleteIfExists(path))
                    {
                        tally.add("fault injected: swap file deleted");
                    }
                }
                case 1 ->
                {
                    Files.deleteIfExists(path);
                    Files.write(path, new byte[64 * SwapArea.PAGE_SIZE]);
                    tally.add("fault injected: swap file replaced by another file");
                }
                case 2 ->
                {
                    final Path other = Files.exists(path) ? path : area.file();
                    final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                        () -> frontswap.swapOn(other, 8));
                    assertTrue(refused.getMessage().contains(area.toString()), refused.getMessage());
                    tally.add("fault injected: same path swapped on twice (refused)");
                }
                case 3 ->
                {
                    area.shrink(random.nextInt(256));
                    tally.add(interrupt ? "interrupted op shrink" : "op shrink");
                }
                default ->
                {
                    if (registry.backend() == null)
                    {
                        registry.register("zcache", CONFIG);
                        tally.add(interrupt ? "interrupted op register" : "op register");
                    }
                    else
                    {
                        registry.unregister();
                        tally.add(interrupt ? "interrupted op unregister" : "op unregister");
                    }
                }
            }
            if (interrupt && !Thread.currentThread().isInterrupted())
            {
                fail("an operation swallowed the interrupt status");
            }
        }
        finally
        {
            Thread.interrupted();
        }
        LockSupport.parkNanos(200_000);
    }

    private static Checker.Runner interrupted(final boolean interrupt, final FaultTally tally)
    {
        if (!interrupt)
        {
            return Callable::call;
        }
        return new Checker.Runner()
        {
            @Override
            public <T> T run(final Callable<T> action) throws Exception
            {
                Thread.currentThread().interrupt();
                try
                {
                    final T result = action.call();
                    assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
                    tally.add("fault injected: interrupt status set");
                    return result;
                }
                finally
                {
                    Thread.interrupted();
                }
            }
        };
    }

    private static void toggleBackend(final BackendRegistry registry, final FaultTally tally)
    {
        if (registry.backend() == null)
        {
            registry.register("zcache", CONFIG);
            tally.add("op register");
            return;
        }
        tally.add("op unregister");
        expectFull(registry::unregister, tally, "unregister");
    }

    private static void expectFull(final Runnable action, final FaultTally tally, final String what)
    {
        try
        {
            action.run();
        }
        catch (final RuntimeException ex)
        {
            Throwable cause = ex;
            while (cause != null && !(cause instanceof UncheckedIOException))
            {
                cause = cause.getCause();
            }
            if (cause == null || !cause.getMessage().contains("No space left on device"))
            {
                throw ex;
            }
            tally.add("fault injected: ENOSPC on " + what);
        }
    }

    /**
     * What every slot of one area holds, as a version (0: nothing), and the checks against it.
     */
    private static final class Checker implements AutoCloseable
    {
        /** Runs a slot operation somewhere: on this thread, interrupted, or on the failing thread. */
        interface Runner
        {
            <T> T run(Callable<T> action) throws Exception;
        }

        final SwapArea area;
        private final FaultTally tally;
        private final long[] versions;
        private final Arena arena = Arena.ofShared();
        private final ThreadLocal<MemorySegment[]> buffers;

        Checker(final SwapArea area, final FaultTally tally)
        {
            this.area = area;
            this.tally = tally;
            this.versions = new long[area.slots()];
            for (int slot = 0; slot < area.slots(); slot++)
            {
                assertEquals(slot, area.allocateSlot());
            }
            buffers = ThreadLocal.withInitial(() -> new MemorySegment[] {arena.allocate(SwapArea.PAGE_SIZE),
                arena.allocate(SwapArea.PAGE_SIZE), arena.allocate(SwapArea.PAGE_SIZE)});
        }

        /**
         * A store, load or invalidate of one slot through the runner; a failure of type {@code expected} is a fault
         * the test injected (a store's slot then holds nothing, a load's slot keeps its page), any other a bug.
         */
        void randomSlotOp(final SplittableRandom random, final int slot, final Runner runner,
            final Class<? extends RuntimeException> expected) throws Exception
        {
            final MemorySegment[] b = buffers.get();
            final int kind = random.nextInt(100);
            try
            {
                if (kind < 50)
                {
                    final long version = random.nextLong(1, Long.MAX_VALUE);
                    VersionedPage.fill(b[0], SwapArea.PAGE_SIZE, slot, version);
                    tally.add("op store");
                    versions[slot] = 0;
                    runner.run(() -> area.store(slot, b[0]));
                    versions[slot] = version;
                }
                else if (kind < 90)
                {
                    tally.add("op load");
                    final boolean held = runner.run(() -> area.load(slot, b[1]));
                    check(slot, held, b[1], b[2]);
                }
                else
                {
                    tally.add("op invalidate");
                    runner.run(() ->
                    {
                        area.invalidatePage(slot);
                        return null;
                    });
                    versions[slot] = 0;
                }
            }
            catch (final RuntimeException ex)
            {
                if (expected == null || !expected.isInstance(ex))
                {
                    throw ex;
                }
                tally.add("fault injected: " + reason(ex) + " on " + (kind < 50 ? "store" : "load"));
                if (kind >= 50)
                {
                    // the failed load must have kept the page: a healthy load now returns it
                    check(slot, area.load(slot, b[1]), b[1], b[2]);
                }
            }
        }

        void verifyAll(final String when)
        {
            final MemorySegment[] b = buffers.get();
            for (int slot = 0; slot < versions.length; slot++)
            {
                final int s = slot;
                assertEquals(versions[slot] != 0, area.load(slot, b[1]), () -> when + ": slot " + s + " holds "
                    + versions[s]);
                check(slot, versions[slot] != 0, b[1], b[2]);
            }
            tally.add("pages verified at the end (" + when + ")",
                java.util.Arrays.stream(versions).filter(v -> v != 0).count());
        }

        private void check(final int slot, final boolean held, final MemorySegment dst, final MemorySegment expected)
        {
            if (held != (versions[slot] != 0))
            {
                fail("slot " + slot + ": load answered " + held + " but the slot holds version " + versions[slot]);
            }
            if (held)
            {
                final long at = VersionedPage.mismatch(dst, expected, SwapArea.PAGE_SIZE, slot, versions[slot]);
                assertEquals(-1, at, () -> "slot " + slot + ": wrong bytes from offset " + at);
                tally.add("pages verified");
            }
        }

        private static String reason(final RuntimeException ex)
        {
            final String message = String.valueOf(ex.getMessage());
            return message.contains("No space left") ? "ENOSPC" : message.contains("Input/output error") ? "EIO"
                : ex.getClass().getSimpleName();
        }

        @Override
        public void close()
        {
            arena.close();
        }
    }
}
