package org.tmem4j.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.tmem4j.concurrent.CurrentCpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompressorPoolTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int PAGE = 4096;

    /** Counts the codecs a pool makes: the number of native contexts. */
    private static final class CountingFactory implements Supplier<Codec>
    {
        final AtomicInteger created = new AtomicInteger();
        private final CodecSpec spec;

        CountingFactory(final CodecSpec spec)
        {
            this.spec = spec;
        }

        @Override
        public Codec get()
        {
            created.incrementAndGet();
            return spec.newCodec();
        }
    }

    /**
     * 10,000 virtual threads compress and decompress their own page at once through a pool of 3 slots: exactly 3
     * codecs are ever made, no slot is held by two threads at a time, and every page comes back byte for byte.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"CPU, lz4", "CPU, zstd:1", "THREAD, zstd:-5", "FREE_LIST, lz4"})
    void tenThousandVirtualThreadsShareTheSlots(final CompressorPool.SlotSelection selection, final String codec)
        throws Exception
    {
        final int threads = 10_000;
        final int slots = 3;
        final CodecSpec spec = CodecSpec.parse(codec);
        final CountingFactory factory = new CountingFactory(spec);
        final AtomicIntegerArray holders = new AtomicIntegerArray(slots);
        final AtomicReference<String> failure = new AtomicReference<>();
        final CountDownLatch start = new CountDownLatch(1);
        try (Arena arena = Arena.ofShared();
            CompressorPool pool = CompressorPool.create(factory, slots, PAGE, selection))
        {
            final MemorySegment pages = arena.allocate((long)threads * PAGE, PAGE);
            final MemorySegment blocks = arena.allocate((long)threads * 2 * PAGE, PAGE);
            final MemorySegment restored = arena.allocate((long)threads * PAGE, PAGE);
            final List<Future<Object>> done = new ArrayList<>(threads);
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor())
            {
                for (int t = 0; t < threads; t++)
                {
                    final int thread = t;
                    done.add(executor.submit(() ->
                    {
                        final long page = (long)thread * PAGE;
                        final SplittableRandom random = new SplittableRandom(SEED + thread);
                        TestPages.values()[thread % TestPages.values().length].write(pages, page, PAGE, random);
                        start.await();
                        final int length;
                        try (CompressorSlot slot = pool.acquire())
                        {
                            exclusive(holders, slot.index(), failure);
                            length = slot.compress(pages, page, PAGE);
                            MemorySegment.copy(slot.output(), 0, blocks, 2 * page, length);
                            holders.decrementAndGet(slot.index());
                        }
                        try (CompressorSlot slot = pool.acquire())
                        {
                            exclusive(holders, slot.index(), failure);
                            slot.codec().decompress(blocks, 2 * page, length, restored, page, PAGE);
                            holders.decrementAndGet(slot.index());
                        }
                        if (MemorySegment.mismatch(pages, page, page + PAGE, restored, page, page + PAGE) >= 0)
                        {
                            failure.compareAndSet(null, "thread " + thread + ": page differs after round trip");
                        }
                        return null;
                    }));
                }
                start.countDown();
            }
            for (final Future<Object> future : done)
            {
                future.get();
            }
            assertNull(failure.get(), failure.get() + "; seed " + SEED);
            assertEquals(slots, factory.created.get(), spec + " " + selection + ": codecs created");
            assertEquals(-1, pages.mismatch(restored), "seed " + SEED);
        }
    }

    private static void exclusive(final AtomicIntegerArray holders, final int slot,
        final AtomicReference<String> failure)
    {
        if (holders.incrementAndGet(slot) != 1)
        {
            failure.compareAndSet(null, "slot " + slot + " held by two threads at once");
        }
    }

    /** Platform threads hammering a small pool: every selection hands each slot to one thread at a time. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(CompressorPool.SlotSelection.class)
    void platformThreadsNeverShareASlot(final CompressorPool.SlotSelection selection) throws Exception
    {
        final int threads = 6;
        final int slots = 2;
        final int rounds = 20_000;
        final AtomicIntegerArray holders = new AtomicIntegerArray(slots);
        final AtomicReference<String> failure = new AtomicReference<>();
        try (CompressorPool pool = CompressorPool.create(CodecSpec.lz4(), slots, PAGE, selection);
            ExecutorService executor = Executors.newFixedThreadPool(threads))
        {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                done.add(executor.submit(() ->
                {
                    for (int r = 0; r < rounds; r++)
                    {
                        try (CompressorSlot slot = pool.acquire())
                        {
                            exclusive(holders, slot.index(), failure);
                            slot.scratch().set(java.lang.foreign.ValueLayout.JAVA_INT, 0, r);
                            Thread.onSpinWait();
                            if (slot.scratch().get(java.lang.foreign.ValueLayout.JAVA_INT, 0) != r)
                            {
                                failure.compareAndSet(null, "scratch of slot " + slot.index() + " overwritten");
                            }
                            holders.decrementAndGet(slot.index());
                        }
                    }
                }));
            }
            for (final Future<?> future : done)
            {
                future.get();
            }
        }
        assertNull(failure.get());
    }

    @Test
    void slotsHaveBuffersForTheLargestPage()
    {
        for (final CodecSpec spec : new CodecSpec[] {CodecSpec.lz4(), CodecSpec.zstd(3)})
        {
            try (CompressorPool pool = CompressorPool.create(spec, 2, 64 << 10);
                Codec reference = spec.newCodec();
                Arena arena = Arena.ofConfined();
                CompressorSlot slot = pool.acquire())
            {
                assertEquals(reference.maxCompressedLength(64 << 10), slot.output().byteSize());
                assertEquals(64 << 10, slot.scratch().byteSize());
                assertEquals(0, slot.scratch().address() % PAGE);
                final MemorySegment page = arena.allocate(64 << 10);
                TestPages.RANDOM.write(page, 0, 64 << 10, new SplittableRandom(SEED));
                final int length = slot.compress(page, 0, 64 << 10);
                assertNotEquals(Codec.DOES_NOT_FIT, length);
                slot.codec().decompress(slot.output(), 0, length, slot.scratch(), 0, 64 << 10);
                assertEquals(-1, page.mismatch(slot.scratch()));
            }
        }
    }

    @Test
    void rejectsBadSizesClearly()
    {
        for (final int slots : new int[] {0, -1, CompressorPool.MAX_SLOTS + 1})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> CompressorPool.create(CodecSpec.lz4(), slots, PAGE));
            assertTrue(ex.getMessage().contains("slots"), ex.getMessage());
        }
        for (final int size : new int[] {0, 2048, 4095, 6144, 128 << 10})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> CompressorPool.create(CodecSpec.lz4(), 2, size));
            assertTrue(ex.getMessage().contains("maxPageSize"), ex.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CompressorPool.SlotSelection.class)
    void refusesMisuse(final CompressorPool.SlotSelection selection)
    {
        final CompressorPool pool = CompressorPool.create(CodecSpec.lz4(), 2, PAGE, selection);
        final CompressorSlot slot = pool.acquire();
        slot.close();
        assertThrows(IllegalStateException.class, slot::close);
        assertThrows(IllegalStateException.class, slot::output);
        assertThrows(IllegalStateException.class, slot::codec);
        assertThrows(IllegalStateException.class, () -> slot.compress(slot.scratch(), 0, PAGE));
        pool.close();
        pool.close();
        final IllegalStateException ex = assertThrows(IllegalStateException.class, pool::acquire);
        assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
    }

    /** Closing waits for a held slot to come back, then frees everything; its codec is closed after. */
    @Test
    void closeWaitsForHeldSlots() throws Exception
    {
        final CompressorPool pool = CompressorPool.create(CodecSpec.zstd(1), 2, PAGE);
        final CompressorSlot slot = pool.acquire();
        final Codec codec = slot.codec();
        final CountDownLatch closing = new CountDownLatch(1);
        final Thread closer = Thread.ofPlatform().start(() ->
        {
            closing.countDown();
            pool.close();
        });
        closing.await();
        Thread.sleep(50);
        assertTrue(closer.isAlive(), "close returned while a slot was held");
        slot.close();
        closer.join();
        assertThrows(IllegalStateException.class, slot::scratch);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment memory = arena.allocate(PAGE);
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> codec.compress(memory, 0, 64, memory, 64, 1024));
            assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
        }
    }

    /**
     * By default a pool has a slot per processor and chooses by CPU; the downcall links wherever the tests run
     * (Linux, native access on).
     */
    @Test
    void choosesByCpuByDefault()
    {
        try (CompressorPool pool = CompressorPool.create(CodecSpec.lz4()))
        {
            assertEquals(Runtime.getRuntime().availableProcessors(), pool.slots());
            assertEquals(PAGE, pool.maxPageSize());
            assertEquals(CurrentCpu.isAvailable() ? CompressorPool.SlotSelection.CPU :
                CompressorPool.SlotSelection.THREAD, pool.selection());
        }
        assertTrue(CurrentCpu.isAvailable(), "tests run on Linux with native access, so sched_getcpu links");
        final int cpu = CurrentCpu.id();
        assertTrue(cpu >= 0 && cpu < Math.max(Runtime.getRuntime().availableProcessors(), 1024), "cpu " + cpu);
    }
}
