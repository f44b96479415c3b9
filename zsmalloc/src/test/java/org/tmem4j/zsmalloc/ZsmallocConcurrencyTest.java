package org.tmem4j.zsmalloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tmem4j.alloc.ObjectLocation;
import org.tmem4j.alloc.ObjectPattern;
import org.tmem4j.concurrent.Racers;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readers, writers, freers and a compactor at once, in the same size classes: readers check shared objects that
 * compaction keeps moving, writers rewrite their own objects while they may be moved, churners allocate and free so
 * that zspages keep emptying, and every byte is verified.
 */
final class ZsmallocConcurrencyTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int OPS = Integer.getInteger("tmem4j.ops", 1_000_000) / 4;

    private static int size(final SplittableRandom random)
    {
        return (int)Math.max(1, Math.min(4096, 1600 + random.nextGaussian() * 700));
    }

    @ParameterizedTest(name = "{0} shard(s) per class")
    @ValueSource(ints = {1, 2})
    void readersWritersFreersAndACompactorAtOnceAreByteExact(final int shards) throws Exception
    {
        try (PageMemory memory = PageMemory.withBudget(256L << 20);
            Zsmalloc allocator = Zsmalloc.builder(memory).shardsPerClass(shards).build();
            Arena arena = Arena.ofShared())
        {
            final int shared = 4000;
            final long[] sharedHandles = new long[shared];
            final int[] sharedSizes = new int[shared];
            final SplittableRandom setup = new SplittableRandom(SEED);
            final MemorySegment fill = arena.allocate(4096);
            for (int i = 0; i < shared; i++)
            {
                sharedSizes[i] = size(setup);
                sharedHandles[i] = allocator.allocate(sharedSizes[i]);
                ObjectPattern.fill(fill, SEED, i, sharedSizes[i]);
                allocator.write(sharedHandles[i], fill, 0);
            }
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean done = new AtomicBoolean();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> threads = new ArrayList<>();
            final long[] readsChecked = new long[2];
            final long[] pinnedReads = new long[2];
            for (int t = 0; t < 2; t++)
            {
                final int id = t;
                threads.add(Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
                {
                    final SplittableRandom random = new SplittableRandom(SEED + 100 + id);
                    final ObjectLocation where = new ObjectLocation();
                    try (Arena local = Arena.ofConfined())
                    {
                        final MemorySegment buffer = local.allocate(4096);
                        final MemorySegment expected = local.allocate(4096);
                        for (int op = 0; op < OPS && failure.get() == null; op++)
                        {
                            final int i = random.nextInt(shared);
                            final int way = random.nextInt(3);
                            if (way == 2)
                            {
                                if (checkLocated(allocator, sharedHandles[i], buffer, expected, where, i,
                                    sharedSizes[i]))
                                {
                                    pinnedReads[id]++;
                                }
                                readsChecked[id]++;
                                continue;
                            }
                            final MemorySegment got = way == 0 ? allocator.view(sharedHandles[i], buffer)
                                : readInto(allocator, sharedHandles[i], buffer);
                            assertEquals(sharedSizes[i], got.byteSize());
                            final long at = ObjectPattern.mismatch(got, expected, SEED, i, sharedSizes[i]);
                            assertEquals(-1, at, "shared object " + i + " differs at " + at + "; seed " + SEED);
                            readsChecked[id]++;
                        }
                    }
                })));
            }
            for (int t = 0; t < 2; t++)
            {
                final int id = t;
                threads.add(Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
                {
                    final SplittableRandom random = new SplittableRandom(SEED + 200 + id);
                    final long base = (long)(id + 1) << 40;
                    final int own = 500;
                    final long[] handles = new long[own];
                    final long[] ids = new long[own];
                    final int[] sizes = new int[own];
                    try (Arena local = Arena.ofConfined())
                    {
                        final MemorySegment buffer = local.allocate(4096);
                        final MemorySegment expected = local.allocate(4096);
                        long next = base;
                        for (int op = 0; op < OPS && failure.get() == null; op++)
                        {
                            final int i = random.nextInt(own);
                            if (handles[i] == 0)
                            {
                                sizes[i] = size(random);
                                handles[i] = allocator.allocate(sizes[i]);
                            }
                            else if (random.nextInt(4) == 0)
                            {
                                allocator.read(handles[i], buffer, 0);
                                assertEquals(-1, ObjectPattern.mismatch(buffer, expected, SEED, ids[i], sizes[i]),
                                    "own object " + ids[i] + "; seed " + SEED);
                                allocator.free(handles[i]);
                                handles[i] = 0;
                                continue;
                            }
                            ids[i] = next++;
                            ObjectPattern.fill(buffer, SEED, ids[i], sizes[i]);
                            allocator.write(handles[i], buffer, 0);
                            allocator.read(handles[i], buffer, 0);
                            assertEquals(-1, ObjectPattern.mismatch(buffer, expected, SEED, ids[i], sizes[i]),
                                "rewritten object " + ids[i] + "; seed " + SEED);
                        }
                    }
                })));
            }
            final Thread compactor = Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
            {
                while (!done.get() && failure.get() == null)
                {
                    allocator.compact();
                    Thread.onSpinWait();
                }
            }));
            start.countDown();
            for (final Thread thread : threads)
            {
                thread.join();
            }
            done.set(true);
            compactor.join();
            if (failure.get() != null)
            {
                throw new AssertionError("seed " + SEED, failure.get());
            }
            assertTrue(allocator.classStats().pagesCompacted() > 0, "the compactor never moved anything");
            assertTrue(pinnedReads[0] + pinnedReads[1] > 0, "no read was made in pool memory under a pin");
            assertEquals(memory.stats().pagesInUse(), allocator.stats().pagesUsed());
            System.out.printf("zsmalloc concurrency: seed %d, %d + %d shared reads (%d pinned), %d pages compacted%n",
                SEED, readsChecked[0], readsChecked[1], pinnedReads[0] + pinnedReads[1],
                allocator.classStats().pagesCompacted());
        }
    }

    /**
     * Reads an object where {@link Zsmalloc#locate} pins it, as a codec would, checking it twice with a yield in
     * between: a move that did not wait for the pin would let the slot be reused (or its page be unmapped) meanwhile.
     *
     * @return whether the object was read in pool memory under a pin (else it was copied into scratch).
     */
    private static boolean checkLocated(final Zsmalloc allocator, final long handle, final MemorySegment scratch,
        final MemorySegment expected, final ObjectLocation where, final int i, final int size)
    {
        allocator.locate(handle, scratch, where);
        final boolean pinned = where.pin() != ObjectLocation.NO_PIN;
        try
        {
            assertEquals(size, where.length());
            final MemorySegment got = where.segment().asSlice(where.offset(), size);
            for (int pass = 0; pass < 2; pass++)
            {
                final long at = ObjectPattern.mismatch(got, expected, SEED, i, size);
                assertEquals(-1, at, "located shared object " + i + " differs at " + at + " (pass " + pass +
                    "); seed " + SEED);
                Thread.yield();
            }
        }
        finally
        {
            allocator.unpin(where);
        }
        return pinned;
    }

    private static MemorySegment readInto(final Zsmalloc allocator, final long handle, final MemorySegment buffer)
    {
        allocator.read(handle, buffer, 0);
        return buffer.asSlice(0, allocator.size(handle));
    }
}
