package org.tmem4j.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spare slots: made one at a time, only when every slot is held, never beyond the capacity, each held by one
 * thread at a time; a spare that cannot be made leaves the pool serving from the slots it has.
 */
class CompressorPoolSparesTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int PAGE = 4096;

    /** Counts the codecs made; throws from the {@code failFrom}-th on (1-based), if positive. */
    private static final class Factory implements Supplier<Codec>
    {
        final AtomicInteger created = new AtomicInteger();
        private final int failFrom;

        Factory(final int failFrom)
        {
            this.failFrom = failFrom;
        }

        @Override
        public Codec get()
        {
            if (failFrom > 0 && created.get() + 1 >= failFrom)
            {
                throw new IllegalStateException("no more native memory for a codec (injected)");
            }
            created.incrementAndGet();
            return CodecSpec.lz4().newCodec();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CompressorPool.SlotSelection.class)
    void makesASpareOnlyWhenEverySlotIsHeldAndNoMoreThanAllowed(final CompressorPool.SlotSelection selection)
        throws Exception
    {
        final Factory factory = new Factory(0);
        try (CompressorPool pool = CompressorPool.create(factory, 2, 3, PAGE, selection))
        {
            assertEquals(2, pool.slots());
            assertEquals(5, pool.capacity());
            assertEquals(2, factory.created.get());
            // free slots are reused: acquiring and releasing one at a time makes nothing
            for (int i = 0; i < 100; i++)
            {
                pool.acquire().close();
            }
            assertEquals(2, pool.liveSlots());
            final List<CompressorSlot> held = new ArrayList<>();
            held.add(pool.acquire());
            held.add(pool.acquire());
            assertEquals(2, pool.liveSlots());
            for (int spare = 1; spare <= 3; spare++)
            {
                held.add(pool.acquire());
                assertEquals(2 + spare, pool.liveSlots());
                assertEquals(2 + spare, factory.created.get());
            }
            assertEquals(5, held.stream().mapToInt(CompressorSlot::index).distinct().count());
            assertEquals(0, pool.waits(), "no acquire waited while a spare could be made");
            // at capacity: the next acquire waits for a release
            final CompletableFuture<CompressorSlot> waiting = CompletableFuture.supplyAsync(pool::acquire);
            assertThrows(java.util.concurrent.TimeoutException.class, () -> waiting.get(200, TimeUnit.MILLISECONDS));
            final CompressorSlot released = held.remove(3);
            released.close();
            final CompressorSlot handedOver = waiting.get(10, TimeUnit.SECONDS);
            assertSame(released, handedOver);
            assertEquals(1, pool.waits());
            handedOver.close();
            held.forEach(CompressorSlot::close);
            assertEquals(5, factory.created.get());
        }
    }

    /** 12 platform threads on a pool of 2 slots and 4 spares: every round trip intact, no slot shared. */
    @Test
    void threadsOutnumberingSlotsShareSlotsAndSparesExclusively() throws Exception
    {
        final int threads = 12;
        final int rounds = 2_000;
        final Factory factory = new Factory(0);
        final AtomicReference<String> failure = new AtomicReference<>();
        try (CompressorPool pool = CompressorPool.create(factory, 2, 4, PAGE, CompressorPool.SlotSelection.CPU);
            Arena arena = Arena.ofShared(); ExecutorService executor = Executors.newFixedThreadPool(threads))
        {
            final AtomicIntegerArray holders = new AtomicIntegerArray(pool.capacity());
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                final MemorySegment page = arena.allocate(PAGE);
                final MemorySegment block = arena.allocate(2 * PAGE);
                final MemorySegment restored = arena.allocate(PAGE);
                done.add(executor.submit(() ->
                {
                    final SplittableRandom random = new SplittableRandom(SEED + thread);
                    for (int r = 0; r < rounds; r++)
                    {
                        TestPages.values()[r % TestPages.values().length].write(page, 0, PAGE, random);
                        final int length;
                        try (CompressorSlot slot = pool.acquire())
                        {
                            if (holders.incrementAndGet(slot.index()) != 1)
                            {
                                failure.compareAndSet(null, "slot " + slot.index() + " held twice");
                            }
                            length = slot.compress(page, 0, PAGE);
                            MemorySegment.copy(slot.output(), 0, block, 0, length);
                            holders.decrementAndGet(slot.index());
                        }
                        try (CompressorSlot slot = pool.acquire())
                        {
                            slot.codec().decompress(block, 0, length, restored, 0, PAGE);
                        }
                        if (page.mismatch(restored) != -1)
                        {
                            failure.compareAndSet(null, "thread " + thread + " round " + r + ": page differs");
                        }
                    }
                }));
            }
            for (final Future<?> future : done)
            {
                future.get();
            }
            assertNull(failure.get(), failure.get() + "; seed " + SEED);
            assertTrue(pool.liveSlots() <= pool.capacity());
            assertEquals(pool.liveSlots(), factory.created.get());
        }
    }

    @Test
    void aSpareThatCannotBeMadeLeavesThePoolServingFromItsSlots() throws Exception
    {
        final Factory factory = new Factory(2);
        try (CompressorPool pool = CompressorPool.create(factory, 1, 2, PAGE, CompressorPool.SlotSelection.CPU))
        {
            final CompressorSlot held = pool.acquire();
            final CompletableFuture<CompressorSlot> waiting = CompletableFuture.supplyAsync(pool::acquire);
            assertThrows(java.util.concurrent.TimeoutException.class, () -> waiting.get(200, TimeUnit.MILLISECONDS));
            assertFalse(waiting.isCompletedExceptionally());
            held.close();
            waiting.get(10, TimeUnit.SECONDS).close();
            assertEquals(1, pool.liveSlots());
            assertEquals(1, factory.created.get());
        }
    }

    @Test
    void rejectsSparesBeyondTheLimit()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> CompressorPool.create(new Factory(0), 2, CompressorPool.MAX_SLOTS - 1, PAGE,
                CompressorPool.SlotSelection.CPU));
        assertTrue(ex.getMessage().contains("spares must be 0 to " + (CompressorPool.MAX_SLOTS - 2)), ex.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> CompressorPool.create(new Factory(0), 2, -1, PAGE, CompressorPool.SlotSelection.CPU));
    }
}
