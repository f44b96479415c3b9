package org.tmem4j.zbud;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.alloc.ObjectLocation;
import org.tmem4j.alloc.ObjectPattern;
import org.tmem4j.concurrent.Racers;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several owners allocating, writing, reading and freeing on one zbud allocator while another thread frees their
 * objects under memory pressure (as the engine's LRU frees pages other threads stored), every byte checked. Owners
 * and the reclaimer settle who frees a handle the way an engine does: whoever removes it from the owner's index
 * first. Seeded: {@code -Dtmem4j.seed=N}.
 */
final class ZbudConcurrencyTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int WORKERS = 3;
    private static final int OPS_PER_WORKER = Integer.getInteger("tmem4j.ops", 1_000_000) / 5;

    /** One owner: its live objects (handle to id and size), guarded by the owner itself. */
    private static final class Owner
    {
        final int number;
        final List<Long> handles = new ArrayList<>();
        final Map<Long, long[]> objects = new HashMap<>();

        Owner(final int number)
        {
            this.number = number;
        }

        void add(final long handle, final long id, final int size)
        {
            handles.add(handle);
            objects.put(handle, new long[]{id, size, handles.size() - 1});
        }

        void remove(final long handle)
        {
            final int at = (int)objects.remove(handle)[2];
            final long last = handles.removeLast();
            if (last != handle)
            {
                handles.set(at, last);
                objects.get(last)[2] = at;
            }
        }
    }

    private static void verify(final ZbudAllocator allocator, final long handle, final long[] object,
        final MemorySegment buffer, final MemorySegment scratch, final String who)
    {
        final int size = (int)object[1];
        assertEquals(size, allocator.size(handle), who + ": size; seed " + SEED);
        allocator.read(handle, buffer, 0);
        final long at = ObjectPattern.mismatch(buffer, scratch, SEED, object[0], size);
        assertEquals(-1, at, who + ": object " + object[0] + " differs at byte " + at + "; seed " + SEED);
    }

    @Test
    void ownersAndAReclaimerStayByteExact() throws Exception
    {
        try (PageMemory memory = PageMemory.builder().budgetBytes(4L << 20).slabBytes(256 << 10).build();
            ZbudAllocator allocator = new ZbudAllocator(memory))
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicLong reclaimedObjects = new AtomicLong();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Owner> owners = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++)
            {
                final Owner owner = new Owner(w);
                owners.add(owner);
                threads.add(Thread.ofPlatform().start(() -> work(allocator, owner, start, failure)));
            }
            final Thread reclaimer = Thread.ofPlatform().start(() ->
            {
                try (Arena arena = Arena.ofConfined())
                {
                    final MemorySegment buffer = arena.allocate(PageMemory.PAGE_SIZE);
                    final MemorySegment scratch = arena.allocate(PageMemory.PAGE_SIZE);
                    final SplittableRandom random = new SplittableRandom(SEED - 1);
                    start.await();
                    while (!done.get() && failure.get() == null)
                    {
                        if (memory.availablePages() >= 32)
                        {
                            Thread.yield();
                            continue;
                        }
                        final Owner owner = owners.get(random.nextInt(owners.size()));
                        synchronized (owner)
                        {
                            for (int i = 0; i < 16 && !owner.handles.isEmpty(); i++)
                            {
                                final long handle = owner.handles.get(random.nextInt(owner.handles.size()));
                                verify(allocator, handle, owner.objects.get(handle), buffer, scratch, "reclaimer");
                                owner.remove(handle);
                                allocator.free(handle);
                                reclaimedObjects.incrementAndGet();
                            }
                        }
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            });
            start.countDown();
            for (final Thread thread : threads)
            {
                thread.join();
            }
            done.set(true);
            reclaimer.join();
            if (failure.get() != null)
            {
                throw new AssertionError("seed " + SEED, failure.get());
            }
            final AllocatorStats end = checkEnd(allocator, memory, owners);
            assertTrue(reclaimedObjects.get() > 0, "the reclaimer never freed: no memory pressure; seed " + SEED);
            System.out.printf("zbud concurrency: seed %d, %d owners x %d ops, %d objects reclaimed, %s%n", SEED,
                WORKERS, OPS_PER_WORKER, reclaimedObjects.get(), end);
        }
    }

    /**
     * Finding objects without the lock while their shard changes: four threads on one shard (so every allocation and
     * free of the others changes the version a find reads under), each allocating, writing, reading back and freeing
     * its own objects byte-exact through every way of finding one (read, view, locate, size), and checking after each
     * free that its handle is refused by all of them, although the freed buddy is soon another thread's object with
     * the same page and slot. A find that kept a record read across a change would return the wrong bytes or size, or
     * accept the stale handle.
     */
    @Test
    void findsWithoutTheLockStayExactWhileTheShardChanges() throws Exception
    {
        final int threads = 4;
        final int opsPerThread = OPS_PER_WORKER / 2;
        try (PageMemory memory = PageMemory.builder().budgetBytes(4L << 20).slabBytes(256 << 10).build();
            ZbudAllocator allocator = new ZbudAllocator(memory, 1))
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong staleRefusals = new AtomicLong();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int number = t;
                workers.add(Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
                    findAndFree(allocator, number, opsPerThread, staleRefusals))));
            }
            start.countDown();
            for (final Thread worker : workers)
            {
                worker.join();
            }
            if (failure.get() != null)
            {
                throw new AssertionError("seed " + SEED, failure.get());
            }
            assertEquals(0, allocator.stats().objects());
            assertTrue(staleRefusals.get() > 0, "no handle was freed; seed " + SEED);
        }
    }

    private static void findAndFree(final ZbudAllocator allocator, final int number, final int ops,
        final AtomicLong staleRefusals)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(PageMemory.PAGE_SIZE);
            final MemorySegment scratch = arena.allocate(PageMemory.PAGE_SIZE);
            final ObjectLocation location = new ObjectLocation();
            final SplittableRandom random = new SplittableRandom(SEED + 100 + number);
            final List<long[]> live = new ArrayList<>();
            long nextId = (long)number << 40;
            for (int op = 0; op < ops; op++)
            {
                if (live.size() < 64 && (live.isEmpty() || random.nextBoolean()))
                {
                    final int size = 1 + random.nextInt(PageMemory.PAGE_SIZE);
                    final long handle = allocator.allocate(size);
                    if (handle > 0)
                    {
                        ObjectPattern.fill(scratch, SEED, nextId, size);
                        allocator.write(handle, scratch, 0);
                        live.add(new long[]{handle, nextId++, size});
                    }
                    continue;
                }
                final int at = random.nextInt(live.size());
                final long[] object = live.get(at);
                final long handle = object[0];
                final int size = (int)object[2];
                final String who = "thread " + number + ", object " + object[1];
                assertEquals(size, allocator.size(handle), who + ": size");
                allocator.read(handle, buffer, 0);
                assertEquals(-1, ObjectPattern.mismatch(buffer, scratch, SEED, object[1], size), who + ": read");
                final MemorySegment view = allocator.view(handle, scratch);
                assertEquals(size, view.byteSize(), who + ": view size");
                MemorySegment.copy(view, 0, buffer, 0, size);
                assertEquals(-1, ObjectPattern.mismatch(buffer, scratch, SEED, object[1], size), who + ": view");
                allocator.locate(handle, buffer, location);
                assertEquals(size, location.length(), who + ": located size");
                MemorySegment.copy(location.segment(), location.offset(), buffer, 0, size);
                assertEquals(-1, ObjectPattern.mismatch(buffer, scratch, SEED, object[1], size), who + ": located");
                if (random.nextBoolean())
                {
                    live.set(at, live.getLast());
                    live.removeLast();
                    allocator.free(handle);
                    assertThrows(IllegalArgumentException.class, () -> allocator.size(handle), who + ": stale size");
                    assertThrows(IllegalArgumentException.class, () -> allocator.read(handle, buffer, 0),
                        who + ": stale read");
                    assertThrows(IllegalArgumentException.class, () -> allocator.view(handle, buffer),
                        who + ": stale view");
                    staleRefusals.incrementAndGet();
                }
            }
            for (final long[] object : live)
            {
                allocator.free(object[0]);
            }
        }
    }

    private static void work(final ZbudAllocator allocator, final Owner owner,
        final CountDownLatch start, final AtomicReference<Throwable> failure)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(PageMemory.PAGE_SIZE);
            final MemorySegment scratch = arena.allocate(PageMemory.PAGE_SIZE);
            final SplittableRandom random = new SplittableRandom(SEED + owner.number);
            long nextId = (long)owner.number << 40;
            start.await();
            for (int op = 0; op < OPS_PER_WORKER && failure.get() == null; op++)
            {
                final int dice = random.nextInt(10);
                if (dice < 5)
                {
                    final int size = 1 + random.nextInt(PageMemory.PAGE_SIZE);
                    final long handle = allocator.allocate(size);
                    if (handle > 0)
                    {
                        final long id = nextId++;
                        ObjectPattern.fill(scratch, SEED, id, size);
                        allocator.write(handle, scratch, 0);
                        synchronized (owner)
                        {
                            owner.add(handle, id, size);
                        }
                    }
                    continue;
                }
                synchronized (owner)
                {
                    if (owner.handles.isEmpty())
                    {
                        continue;
                    }
                    final long handle = owner.handles.get(random.nextInt(owner.handles.size()));
                    verify(allocator, handle, owner.objects.get(handle), buffer, scratch, "owner " + owner.number);
                    if (dice < 8)
                    {
                        owner.remove(handle);
                        allocator.free(handle);
                    }
                }
            }
        }
        catch (final Throwable t)
        {
            failure.compareAndSet(null, t);
        }
    }

    private static AllocatorStats checkEnd(final ZbudAllocator allocator, final PageMemory memory,
        final List<Owner> owners)
    {
        long objects = 0;
        long bytes = 0;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(PageMemory.PAGE_SIZE);
            final MemorySegment scratch = arena.allocate(PageMemory.PAGE_SIZE);
            for (final Owner owner : owners)
            {
                for (final Map.Entry<Long, long[]> entry : owner.objects.entrySet())
                {
                    verify(allocator, entry.getKey(), entry.getValue(), buffer, scratch, "end");
                    objects++;
                    bytes += entry.getValue()[1];
                }
            }
        }
        final AllocatorStats stats = allocator.stats();
        assertEquals(objects, stats.objects(), "objects; seed " + SEED);
        assertEquals(bytes, stats.storedBytes(), "stored bytes; seed " + SEED);
        assertEquals(memory.stats().pagesInUse(), stats.pagesUsed(), "pages; seed " + SEED);
        assertTrue(stats.pagesUsed() <= objects, "a page without objects was kept; seed " + SEED);
        assertTrue(memory.stats().reservedBytes() <= memory.budgetBytes(), "budget exceeded");
        allocator.close();
        assertEquals(0, memory.stats().pagesInUse(), "close must give every page back");
        return stats;
    }
}
