package org.tmem4j.zsmalloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectLocation;
import org.tmem4j.alloc.ObjectPattern;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The per-CPU shards of the size classes, on any machine: the tests say which CPU each allocation runs on
 * ({@link Zsmalloc.Builder#cpu}), so every shard, the move to another shard's free slot and the opening of a zspage
 * in a lower shard are all reached. A seeded model of 10^6 operations checks every byte and the totals; threads
 * allocating on every shard, freeing each other's objects and compacting meanwhile check every byte; one thread
 * moving between CPUs must cost exactly what one shard costs.
 */
final class ZsmallocShardsTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int OPS = Integer.getInteger("tmem4j.ops", 1_000_000);
    private static final int SHARDS = 4;

    private static int size(final SplittableRandom random)
    {
        return random.nextInt(8) == 0 ? 1 + random.nextInt(ObjectAllocator.MAX_OBJECT_SIZE) :
            (int)Math.max(1, Math.min(ObjectAllocator.MAX_OBJECT_SIZE, 900 + random.nextGaussian() * 500));
    }

    @Test
    void modelBasedRandomOperationsOnEveryShardKeepEveryByte()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final int[] cpu = new int[1];
        final long budget = 8L << 20;
        try (PageMemory memory = PageMemory.withBudget(budget);
            Zsmalloc zs = Zsmalloc.builder(memory).shardsPerClass(SHARDS).cpu(() -> cpu[0]).build();
            Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final MemorySegment scratch = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final List<long[]> live = new ArrayList<>();   // {handle, size, pattern id}
            long liveBytes = 0;
            long nextId = 0;
            long noMemory = 0;
            long checked = 0;
            for (int op = 0; op < OPS; op++)
            {
                cpu[0] = random.nextInt(2 * SHARDS);   // CPU numbers beyond the shards wrap around
                final int kind = random.nextInt(100);
                if (kind < 45 || live.isEmpty())
                {
                    final int size = size(random);
                    final long handle = zs.allocate(size);
                    if (handle == ObjectAllocator.NO_MEMORY)
                    {
                        noMemory++;
                        assertTrue(liveBytes > budget / 2, "NO_MEMORY with only " + liveBytes + " bytes live of a " +
                            budget + "-byte budget; seed " + SEED);
                        continue;
                    }
                    ObjectPattern.fill(buffer, SEED, nextId, size);
                    zs.write(handle, buffer, 0);
                    live.add(new long[] {handle, size, nextId++});
                    liveBytes += size;
                }
                else if (kind < 85)
                {
                    final long[] object = live.remove(random.nextInt(live.size()));
                    check(zs, object, scratch, buffer, "before free at op " + op);
                    zs.free(object[0]);
                    liveBytes -= object[1];
                }
                else if (kind < 95)
                {
                    check(zs, live.get(random.nextInt(live.size())), scratch, buffer, "at op " + op);
                    checked++;
                }
                else if (kind < 99)
                {
                    final long[] object = live.get(random.nextInt(live.size()));
                    object[2] = nextId++;
                    ObjectPattern.fill(buffer, SEED, object[2], (int)object[1]);
                    zs.write(object[0], buffer, 0);
                }
                else if (random.nextInt(100) == 0)
                {
                    zs.compact();
                    final ZsmallocStats stats = zs.classStats();
                    assertEquals(live.size(), stats.objects(), "objects after compaction; seed " + SEED);
                    assertEquals(liveBytes, stats.storedBytes(), "stored bytes after compaction; seed " + SEED);
                }
            }
            for (final long[] object : live)
            {
                check(zs, object, scratch, buffer, "at the end");
                zs.free(object[0]);
            }
            zs.compact();
            assertEquals(0, zs.classStats().objects(), "objects after freeing all; seed " + SEED);
            assertEquals(0, zs.classStats().pagesUsed(), "pages after freeing all and compacting; seed " + SEED);
            System.out.printf("zsmalloc shards model: seed %d, %d ops over %d shards, %d reads checked, %d NO_MEMORY%n",
                SEED, OPS, SHARDS, checked, noMemory);
        }
    }

    private static void check(final Zsmalloc zs, final long[] object, final MemorySegment scratch,
        final MemorySegment pattern, final String context)
    {
        final MemorySegment view = zs.view(object[0], scratch);
        assertEquals(object[1], view.byteSize(), "size " + context + "; seed " + SEED);
        final long at = ObjectPattern.mismatch(view, pattern, SEED, object[2], (int)object[1]);
        if (at >= 0)
        {
            fail("object " + object[2] + " differs at byte " + at + " " + context + "; seed " + SEED);
        }
    }

    @Test
    void oneThreadMovingBetweenCpusCostsWhatOneShardCosts()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final int[] sizes = new int[40_000];
        for (int i = 0; i < sizes.length; i++)
        {
            sizes[i] = size(random);
        }
        final int[] cpu = new int[1];
        try (PageMemory memory = PageMemory.withBudget(256L << 20);
            PageMemory single = PageMemory.withBudget(256L << 20);
            Zsmalloc sharded = Zsmalloc.builder(memory).shardsPerClass(SHARDS).cpu(() -> cpu[0]).build();
            Zsmalloc one = Zsmalloc.builder(single).shardsPerClass(1).build())
        {
            final long[] shardedHandles = new long[sizes.length];
            final long[] oneHandles = new long[sizes.length];
            for (int i = 0; i < sizes.length; i++)
            {
                cpu[0] = random.nextInt(SHARDS);
                shardedHandles[i] = sharded.allocate(sizes[i]);
                oneHandles[i] = one.allocate(sizes[i]);
            }
            assertSameFootprint(sharded, one, "after the fill");
            for (int i = 1; i < sizes.length; i += 2)
            {
                cpu[0] = random.nextInt(SHARDS);
                sharded.free(shardedHandles[i]);
                one.free(oneHandles[i]);
            }
            for (int i = 1; i < sizes.length; i += 4)
            {
                cpu[0] = random.nextInt(SHARDS);
                shardedHandles[i] = sharded.allocate(sizes[i]);
                oneHandles[i] = one.allocate(sizes[i]);
            }
            assertSameFootprint(sharded, one, "after freeing every other object and refilling half the holes");
            sharded.compact();
            one.compact();
            assertSameFootprint(sharded, one, "after compaction");
        }
    }

    /**
     * Two threads on two CPUs: the second allocates in its own shard although the first one's shard has free slots
     * (taking them would make the two threads take turns on one lock and its lines on every call), until the budget
     * is spent, when a free slot anywhere is the last room left.
     */
    @Test
    void aThreadTakesNoRoomInAShardAnotherThreadAllocatesInUntilTheBudgetIsSpent() throws Exception
    {
        final ThreadLocal<Integer> cpuOfThread = ThreadLocal.withInitial(() -> 0);
        final int size = 1000;
        try (PageMemory memory = PageMemory.builder().budgetBytes(1L << 20).cpuCachePages(0).build();
            Zsmalloc zs = Zsmalloc.builder(memory).shardsPerClass(2).cpu(cpuOfThread::get).build())
        {
            final List<Long> first = new ArrayList<>();
            onThread(() ->
            {
                for (int i = 0; i < 64; i++)
                {
                    first.add(zs.allocate(size));
                }
                for (int i = 0; i < first.size(); i += 2)
                {
                    zs.free(first.get(i));
                }
            });
            final List<Long> second = new ArrayList<>();
            onThread(() ->
            {
                cpuOfThread.set(1);
                for (int i = 0; i < 16; i++)
                {
                    second.add(zs.allocate(size));
                }
            });
            for (final long handle : second)
            {
                assertEquals(1, shardOf(zs, handle), "the second thread allocated in the first one's shard");
            }
            // fill up from the first thread, free some of its objects, then the second thread finds no chunk
            onThread(() ->
            {
                long handle;
                while ((handle = zs.allocate(size)) > 0)
                {
                    first.add(handle);
                }
                for (int i = 1; i < 9; i += 2)
                {
                    zs.free(first.remove(first.size() - i));
                }
            });
            final long[] last = new long[1];
            onThread(() ->
            {
                cpuOfThread.set(1);
                long handle;
                while ((handle = zs.allocate(size)) > 0 && shardOf(zs, handle) == 1)
                {
                    second.add(handle);
                }
                last[0] = handle;
            });
            assertTrue(last[0] > 0, "with the budget spent, the second thread was refused the first one's free slots");
            assertEquals(0, shardOf(zs, last[0]));
        }
    }

    /**
     * A thread whose CPU's shard is held by another thread (one that lost its CPU while holding it, here a compaction
     * waiting for a pinned reader) takes a free slot in a shard whose lock is free instead of queueing. Without that,
     * the allocation below waits for as long as the reader keeps its pin.
     */
    @Test
    void anAllocationWhoseShardIsHeldTakesAFreeSlotElsewhereInsteadOfWaiting() throws Exception
    {
        final ThreadLocal<Integer> cpuOfThread = ThreadLocal.withInitial(() -> 0);
        try (Arena arena = Arena.ofConfined();
            PageMemory memory = PageMemory.withBudget(16L << 20);
            Zsmalloc zs = Zsmalloc.builder(memory).shardsPerClass(2).cpu(cpuOfThread::get).build())
        {
            final int largest = zs.maxStoredSize();
            // shard 0 of the largest class is this thread's (CPU 0), shard 1 another thread's (CPU 1), which leaves a
            // free slot there: an object allocated and freed
            assertEquals(0, shardOf(zs, zs.allocate(largest)));
            onThread(() ->
            {
                cpuOfThread.set(1);
                final long[] two = {zs.allocate(largest), zs.allocate(largest)};
                assertEquals(1, shardOf(zs, two[0]));
                zs.free(two[1]);
            });
            // a reader pins an object; compaction then holds shard 0's largest class (the first it compacts) while it
            // waits for the reader
            final long read = zs.allocate(100);
            final MemorySegment scratch = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final ObjectLocation pinned = new ObjectLocation();
            zs.locate(read, scratch, pinned);
            assertTrue(pinned.pin() != ObjectLocation.NO_PIN, "a small object is read in place, pinned");
            final Thread compaction = Thread.ofPlatform().start(zs::compact);
            while (!waitsForReaders(compaction))
            {
                Thread.onSpinWait();
            }
            final long[] allocated = new long[1];
            final Thread allocation = Thread.ofPlatform().start(() -> allocated[0] = zs.allocate(largest));
            allocation.join(30_000);
            final boolean waited = allocation.isAlive();
            zs.unpin(pinned);
            compaction.join();
            allocation.join();
            assertFalse(waited, "the allocation queued behind the held shard although shard 1 had a free slot");
            assertEquals(1, shardOf(zs, allocated[0]), "the free slot taken is shard 1's");
        }
    }

    private static boolean waitsForReaders(final Thread compaction)
    {
        for (final StackTraceElement frame : compaction.getStackTrace())
        {
            if (frame.getMethodName().equals("awaitReaders"))
            {
                return true;
            }
        }
        return false;
    }

    private static void onThread(final Runnable body) throws InterruptedException
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = Thread.ofPlatform().start(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
        });
        thread.join();
        if (failure.get() != null)
        {
            throw new AssertionError(failure.get());
        }
    }

    /** {@return the shard a handle was allocated in: its class-shard field over the number of classes} */
    private static int shardOf(final Zsmalloc zs, final long handle)
    {
        final int classShard = (int)(handle >>> (HandleTable.INDEX_BITS + HandleTable.GENERATION_BITS)) & 4095;
        return classShard / zs.layout().classCount();
    }

    private static void assertSameFootprint(final Zsmalloc sharded, final Zsmalloc one, final String when)
    {
        final ZsmallocStats a = sharded.classStats();
        final ZsmallocStats b = one.classStats();
        assertEquals(b.objects(), a.objects(), "objects " + when + "; seed " + SEED);
        assertEquals(b.chunksUsed(), a.chunksUsed(), "chunks " + when + "; seed " + SEED);
        assertEquals(b.pagesUsed(), a.pagesUsed(), "pages " + when + "; seed " + SEED);
    }

    @Test
    void threadsOnEveryShardFreeingEachOthersObjectsAreByteExact() throws Exception
    {
        final int threads = 4;
        final int opsPerThread = OPS / 8;
        try (PageMemory memory = PageMemory.withBudget(128L << 20);
            Zsmalloc zs = Zsmalloc.builder(memory).shardsPerClass(SHARDS)
                .cpu(() -> (int)(Thread.currentThread().threadId() + System.nanoTime()) & 7).build())
        {
            final ConcurrentLinkedQueue<long[]> handedOver = new ConcurrentLinkedQueue<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicInteger running = new AtomicInteger(threads);
            final AtomicInteger ids = new AtomicInteger();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final long threadSeed = SEED + t;
                all.add(Thread.ofPlatform().start(() ->
                {
                    try (Arena arena = Arena.ofConfined())
                    {
                        final MemorySegment buffer = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
                        final MemorySegment scratch = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
                        final SplittableRandom random = new SplittableRandom(threadSeed);
                        final List<long[]> own = new ArrayList<>();
                        start.await();
                        for (int op = 0; op < opsPerThread && failure.get() == null; op++)
                        {
                            final int kind = random.nextInt(10);
                            if (kind < 5 || own.isEmpty())
                            {
                                final int size = size(random);
                                final long handle = zs.allocate(size);
                                assertTrue(handle > 0, "allocation failed with room left; seed " + SEED);
                                final long id = ids.getAndIncrement();
                                ObjectPattern.fill(buffer, SEED, id, size);
                                zs.write(handle, buffer, 0);
                                own.add(new long[] {handle, size, id});
                            }
                            else if (kind < 7)
                            {
                                final long[] object = own.remove(random.nextInt(own.size()));
                                check(zs, object, scratch, buffer, "before free");
                                zs.free(object[0]);
                            }
                            else if (kind < 8)
                            {
                                handedOver.add(own.remove(random.nextInt(own.size())));
                            }
                            else if (kind < 9)
                            {
                                final long[] object = handedOver.poll();
                                if (object != null)
                                {
                                    check(zs, object, scratch, buffer, "handed over, before free");
                                    zs.free(object[0]);
                                }
                            }
                            else
                            {
                                check(zs, own.get(random.nextInt(own.size())), scratch, buffer, "own");
                            }
                        }
                        for (final long[] object : own)
                        {
                            check(zs, object, scratch, buffer, "at the end");
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                    finally
                    {
                        running.decrementAndGet();
                    }
                }));
            }
            final Thread compactor = Thread.ofPlatform().start(() ->
            {
                while (!done.get() && failure.get() == null)
                {
                    try
                    {
                        zs.compact();
                        Thread.sleep(5);
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }
            });
            start.countDown();
            for (final Thread thread : all)
            {
                thread.join();
            }
            done.set(true);
            compactor.join();
            if (failure.get() != null)
            {
                throw new AssertionError("seed " + SEED, failure.get());
            }
            System.out.printf("zsmalloc shards stress: seed %d, %d threads x %d ops over %d shards, %d objects live%n",
                SEED, threads, opsPerThread, SHARDS, zs.classStats().objects());
        }
    }
}
