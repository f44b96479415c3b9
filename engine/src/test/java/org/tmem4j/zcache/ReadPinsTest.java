package org.tmem4j.zcache;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.tmem4j.concurrent.Racers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read pins alone: more readers of one value than a line has entries (the overflow into other lines, which a
 * remover must still find), and readers racing removers over a few pages under per-page locks, as shared gets race
 * overwrites and flushes in zcache: every value is freed exactly once, and never while a reader still pins it.
 */
final class ReadPinsTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());

    @Test
    void moreReadersOfOneValueThanALineHoldsAreEachHandedTheFreeInTurn()
    {
        final int slots = 20;
        final ReadPins pins = new ReadPins(slots);
        final long value = 12345;
        for (int slot = 0; slot < slots; slot++)
        {
            pins.pin(slot, value);
            assertEquals(value, pins.found(slot));
        }
        // every reader still pins it: each free is handed to one of them, wherever its pin went
        for (int handed = 0; handed < slots; handed++)
        {
            assertTrue(pins.handOver(value), "free " + handed + " of " + slots + " readers was not handed over");
        }
        assertFalse(pins.handOver(value), "a free was handed to a reader that already has one");
        for (int slot = 0; slot < slots; slot++)
        {
            assertFalse(pins.unpin(slot, value), "reader " + slot + " was handed the free: its unpin must say so");
        }
        assertFalse(pins.handOver(value), "a pin outlived its unpin");
        // the table is empty again: the same readers pin and end normally, overflowing as before
        for (int slot = 0; slot < slots; slot++)
        {
            pins.pin(slot, value + slot % 2);
        }
        for (int slot = 0; slot < slots; slot++)
        {
            assertTrue(pins.unpin(slot, value + slot % 2));
        }
        assertFalse(pins.handOver(value));
        assertFalse(pins.handOver(value + 1));
    }

    @Test
    void racingReadersAndRemoversFreeEveryValueOnceAndNeverUnderAReader() throws Exception
    {
        final int readers = 12;
        final int removers = 2;
        final int pages = 3;
        final int opsPerRemover = 100_000;
        final ReadPins pins = new ReadPins(readers);
        final Object[] locks = new Object[pages];
        final AtomicLongArray index = new AtomicLongArray(pages);
        final AtomicLong nextValue = new AtomicLong();
        final int maxValues = removers * opsPerRemover + pages + 1;
        final AtomicIntegerArray frees = new AtomicIntegerArray(maxValues);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicBoolean removing = new AtomicBoolean(true);
        final CountDownLatch start = new CountDownLatch(1);
        for (int page = 0; page < pages; page++)
        {
            locks[page] = new Object();
            index.set(page, nextValue.incrementAndGet());
        }
        final long[] reads = new long[readers];
        final List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < readers; r++)
        {
            final int slot = r;
            threads.add(Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
            {
                final SplittableRandom random = new SplittableRandom(SEED + slot);
                while (removing.get() && failure.get() == null)
                {
                    final int page = random.nextInt(pages);
                    synchronized (locks[page])
                    {
                        pins.pin(slot, index.get(page));
                    }
                    final long value = pins.found(slot);
                    for (int look = 0; look < 3; look++)
                    {
                        assertEquals(0, frees.get((int)value), "value " + value + " freed under its reader " + slot +
                            "; seed " + SEED);
                        Thread.onSpinWait();
                    }
                    if (!pins.unpin(slot, value))
                    {
                        free(pins, frees, value);
                    }
                    reads[slot]++;
                }
            })));
        }
        final List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < removers; w++)
        {
            final int id = w;
            writers.add(Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
            {
                final SplittableRandom random = new SplittableRandom(SEED - 1 - id);
                for (int op = 0; op < opsPerRemover && failure.get() == null; op++)
                {
                    final int page = random.nextInt(pages);
                    final long old;
                    synchronized (locks[page])
                    {
                        old = index.get(page);
                        index.set(page, nextValue.incrementAndGet());
                    }
                    free(pins, frees, old);
                }
            })));
        }
        start.countDown();
        for (final Thread writer : writers)
        {
            writer.join();
        }
        removing.set(false);
        for (final Thread thread : threads)
        {
            thread.join();
        }
        if (failure.get() != null)
        {
            throw new AssertionError("seed " + SEED, failure.get());
        }
        long handedOrFreed = 0;
        for (int value = 1; value <= nextValue.get(); value++)
        {
            final boolean live = value == index.get(0) || value == index.get(1) || value == index.get(2);
            assertEquals(live ? 0 : 1, frees.get(value), "value " + value + " (live " + live + "); seed " + SEED);
            handedOrFreed += frees.get(value);
        }
        long total = 0;
        for (final long count : reads)
        {
            total += count;
        }
        assertEquals(nextValue.get() - pages, handedOrFreed);
        assertTrue(total > 0, "no reader read");
        System.out.printf("read pins: %d reads by %d readers, %d values freed; seed %d%n", total, readers,
            handedOrFreed, SEED);
    }

    /** What {@link StoredPages#free} does with the pins: hand the free over, or free (count) it. */
    private static void free(final ReadPins pins, final AtomicIntegerArray frees, final long value)
    {
        if (!pins.handOver(value))
        {
            assertEquals(0, frees.getAndIncrement((int)value), "value " + value + " freed twice; seed " + SEED);
        }
    }
}
