package org.tmem4j.alloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.tmem4j.concurrent.Racers;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract every {@link ObjectAllocator} keeps, run by each allocator module against its own implementation
 * (found by name through {@link AllocatorProvider}, so the lookup is tested too).
 * <p>
 * The seed of the randomized tests is printed on failure and can be fixed with {@code -Dtmem4j.seed=N}; the number
 * of operations with {@code -Dtmem4j.ops=N} (default 10^6).
 */
public abstract class ObjectAllocatorContract
{
    protected static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    protected static final int OPS = Integer.getInteger("tmem4j.ops", 1_000_000);

    /**
     * @return the name of the allocator under test.
     */
    protected abstract String allocatorName();

    /**
     * Allocator-specific checks of the page count against the live objects (e.g. the minimum after compaction).
     * Called after every full verification sweep.
     *
     * @param allocator  the allocator.
     * @param liveSizes  sizes of the live objects.
     * @param compacted  whether {@link ObjectAllocator#compact()} ran just before.
     */
    protected void checkPages(final ObjectAllocator allocator, final int[] liveSizes, final boolean compacted)
    {
    }

    protected final ObjectAllocator create(final PageMemory memory)
    {
        return AllocatorProvider.named(allocatorName()).create(memory);
    }

    /** A random size the way compressed pages come: mostly mid-sized, some tiny, some nearly whole pages. */
    protected static int randomSize(final SplittableRandom random)
    {
        final int kind = random.nextInt(10);
        if (kind < 5)
        {
            return 1 + random.nextInt(ObjectAllocator.MAX_OBJECT_SIZE);
        }
        if (kind < 9)
        {
            return (int)Math.max(1, Math.min(ObjectAllocator.MAX_OBJECT_SIZE, 1600 + random.nextGaussian() * 600));
        }
        return 1 + random.nextInt(128);
    }

    /** Live objects of the model: handle, id (which fixes the contents) and size, with O(1) random pick. */
    protected static final class Model
    {
        long[] handles = new long[1024];
        long[] ids = new long[1024];
        int[] sizes = new int[1024];
        int count;
        long storedBytes;
        final Map<Long, Integer> index = new HashMap<>();

        void add(final long handle, final long id, final int size)
        {
            if (count == handles.length)
            {
                handles = java.util.Arrays.copyOf(handles, count * 2);
                ids = java.util.Arrays.copyOf(ids, count * 2);
                sizes = java.util.Arrays.copyOf(sizes, count * 2);
            }
            if (index.put(handle, count) != null)
            {
                fail("allocator handed out live handle " + handle + " twice");
            }
            handles[count] = handle;
            ids[count] = id;
            sizes[count] = size;
            count++;
            storedBytes += size;
        }

        void removeAt(final int i)
        {
            index.remove(handles[i]);
            storedBytes -= sizes[i];
            count--;
            if (i != count)
            {
                handles[i] = handles[count];
                ids[i] = ids[count];
                sizes[i] = sizes[count];
                index.put(handles[i], i);
            }
        }
    }

    private static void verify(final ObjectAllocator allocator, final Model model, final int i,
        final MemorySegment buffer, final MemorySegment scratch, final MemorySegment expected, final String context)
    {
        final long handle = model.handles[i];
        final int size = model.sizes[i];
        assertEquals(size, allocator.size(handle), context + ": size of handle " + handle);
        buffer.fill((byte)0x5A);
        allocator.read(handle, buffer, 0);
        final long at = ObjectPattern.mismatch(buffer, expected, SEED, model.ids[i], size);
        if (at >= 0)
        {
            fail(context + ": object " + model.ids[i] + " (handle " + handle + ", " + size + " bytes) differs at byte " +
                at + "; seed " + SEED);
        }
        final MemorySegment view = allocator.view(handle, scratch);
        assertEquals(size, view.byteSize(), context + ": view size");
        assertTrue(view.isReadOnly(), "a view must be read-only");
        if (MemorySegment.mismatch(view, 0, size, expected, 0, size) >= 0)
        {
            fail(context + ": view of object " + model.ids[i] + " differs; seed " + SEED);
        }
        final ObjectLocation where = new ObjectLocation();
        allocator.locate(handle, scratch, where);
        try
        {
            assertEquals(size, where.length(), context + ": located size");
            if (MemorySegment.mismatch(where.segment(), where.offset(), where.offset() + size, expected, 0, size) >= 0)
            {
                fail(context + ": located object " + model.ids[i] + " differs; seed " + SEED);
            }
        }
        finally
        {
            allocator.unpin(where);
        }
        assertEquals(ObjectLocation.NO_PIN, where.pin(), context + ": a location still holds its pin after unpin");
    }

    private void verifyAll(final ObjectAllocator allocator, final PageMemory memory, final Model model,
        final MemorySegment buffer, final MemorySegment scratch, final MemorySegment expected, final String context,
        final boolean compacted)
    {
        for (int i = 0; i < model.count; i++)
        {
            verify(allocator, model, i, buffer, scratch, expected, context);
        }
        final AllocatorStats stats = allocator.stats();
        assertEquals(model.count, stats.objects(), context + ": objects; seed " + SEED);
        assertEquals(model.storedBytes, stats.storedBytes(), context + ": stored bytes; seed " + SEED);
        assertEquals(memory.stats().pagesInUse(), stats.pagesUsed(), context + ": pages used vs page memory");
        assertTrue(memory.stats().reservedBytes() <= memory.budgetBytes(), context + ": budget exceeded");
        checkPages(allocator, java.util.Arrays.copyOf(model.sizes, model.count), compacted);
    }

    @Test
    void modelBasedRandomOperations()
    {
        final long budget = 6L << 20;
        try (Arena arena = Arena.ofConfined();
            PageMemory memory = PageMemory.builder().budgetBytes(budget).slabBytes(64 << 10).build();
            ObjectAllocator allocator = create(memory))
        {
            final MemorySegment buffer = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final MemorySegment scratch = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final MemorySegment expected = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final SplittableRandom random = new SplittableRandom(SEED);
            final Model model = new Model();
            long nextId = 0;
            int noMemory = 0;
            int tooLarge = 0;
            for (int op = 0; op < OPS; op++)
            {
                // waves: fill towards the budget, then drain, so slabs are mapped and released again and again
                final boolean filling = (op / 50_000) % 2 == 0;
                final int dice = random.nextInt(100);
                final String context = "op " + op;
                if (dice < (filling ? 55 : 35))
                {
                    final int size = randomSize(random);
                    final long handle = allocator.allocate(size);
                    if (handle == ObjectAllocator.TOO_LARGE)
                    {
                        assertTrue(size > allocator.maxStoredSize(), context + ": TOO_LARGE for size " + size);
                        tooLarge++;
                    }
                    else if (handle == ObjectAllocator.NO_MEMORY)
                    {
                        assertTrue(memory.availablePages() < 16,
                            context + ": NO_MEMORY with " + memory.availablePages() + " pages left; seed " + SEED);
                        noMemory++;
                    }
                    else
                    {
                        assertTrue(handle > 0, context + ": handle " + handle);
                        assertTrue(size <= allocator.maxStoredSize(), context + ": stored size above maximum");
                        final long id = nextId++;
                        ObjectPattern.fill(expected, SEED, id, size);
                        allocator.write(handle, expected, 0);
                        model.add(handle, id, size);
                    }
                }
                else if (dice < 90)
                {
                    if (model.count > 0)
                    {
                        final int i = random.nextInt(model.count);
                        if (dice < 60)
                        {
                            verify(allocator, model, i, buffer, scratch, expected, context);
                            allocator.free(model.handles[i]);
                            model.removeAt(i);
                        }
                        else if (dice < 70)
                        {
                            verify(allocator, model, i, buffer, scratch, expected, context);
                            assertEquals(model.sizes[i], allocator.sizeAndFree(model.handles[i]),
                                context + ": sizeAndFree answers the size allocated");
                            model.removeAt(i);
                        }
                        else
                        {
                            verify(allocator, model, i, buffer, scratch, expected, context);
                        }
                    }
                }
                if (op % 100_000 == 99_999)
                {
                    verifyAll(allocator, memory, model, buffer, scratch, expected, context, false);
                    allocator.compact();
                    verifyAll(allocator, memory, model, buffer, scratch, expected, context + " after compact", true);
                }
            }
            verifyAll(allocator, memory, model, buffer, scratch, expected, "end", false);
            assertTrue(noMemory > 0, "the budget was never reached: the test does not exercise NO_MEMORY");
            System.out.printf("%s model test: seed %d, %d ops, %d objects live, %d NO_MEMORY, %d TOO_LARGE, " +
                "%s%n", allocatorName(), SEED, OPS, model.count, noMemory, tooLarge,
                memory.stats());
            allocator.close();
            assertEquals(0, memory.stats().pagesInUse(), "close must give every page back");
        }
    }

    @Test
    void concurrentStressIsByteExact() throws Exception
    {
        final int threads = 4;
        final int opsPerThread = OPS / 8;
        try (PageMemory memory = PageMemory.builder().budgetBytes(32L << 20).build();
            ObjectAllocator allocator = create(memory))
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean done = new AtomicBoolean();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int threadId = t;
                workers.add(Thread.ofPlatform().start(() ->
                {
                    try (Arena arena = Arena.ofConfined())
                    {
                        final MemorySegment buffer = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
                        final MemorySegment scratch = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
                        final MemorySegment expected = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
                        final SplittableRandom random = new SplittableRandom(SEED + threadId);
                        final Model model = new Model();
                        long nextId = (long)threadId << 40;
                        start.await();
                        for (int op = 0; op < opsPerThread && failure.get() == null; op++)
                        {
                            final int dice = random.nextInt(10);
                            if (dice < 5 || model.count == 0)
                            {
                                final int size = randomSize(random);
                                final long handle = allocator.allocate(size);
                                if (handle > 0)
                                {
                                    final long id = nextId++;
                                    ObjectPattern.fill(expected, SEED, id, size);
                                    allocator.write(handle, expected, 0);
                                    model.add(handle, id, size);
                                }
                            }
                            else
                            {
                                final int i = random.nextInt(model.count);
                                verify(allocator, model, i, buffer, scratch, expected, "thread " + threadId);
                                if (dice < 9 || model.count > 2000)
                                {
                                    allocator.free(model.handles[i]);
                                    model.removeAt(i);
                                }
                            }
                        }
                        for (int i = 0; i < model.count; i++)
                        {
                            verify(allocator, model, i, buffer, scratch, expected, "thread " + threadId + " final");
                        }
                    }
                    catch (final Throwable t1)
                    {
                        failure.compareAndSet(null, t1);
                    }
                }));
            }
            final Thread compactor = Thread.ofPlatform().start(() ->
            {
                try
                {
                    start.await();
                    while (!done.get() && failure.get() == null)
                    {
                        allocator.compact();
                        Thread.sleep(1);
                    }
                }
                catch (final Throwable t1)
                {
                    failure.compareAndSet(null, t1);
                }
            });
            start.countDown();
            for (final Thread worker : workers)
            {
                worker.join();
            }
            done.set(true);
            compactor.join();
            if (failure.get() != null)
            {
                throw new AssertionError("seed " + SEED, failure.get());
            }
            assertEquals(memory.stats().pagesInUse(), allocator.stats().pagesUsed());
        }
    }

    /**
     * Several threads free the same handles at once, each in its own shuffled order (half of them by
     * {@link ObjectAllocator#sizeAndFree}), round after round, among objects nobody frees that share their pages: of
     * the frees of one handle exactly one goes through (a sizeAndFree that does answers the size allocated), every
     * other is refused with {@link IllegalArgumentException}, and the handle is dead afterwards; the objects nobody
     * freed keep every byte, and the statistics count exactly them. The frees that go through empty pages, which go
     * back to the page memory while the other threads' frees of the same objects are being refused.
     */
    @Test
    void concurrentDoubleFreesLetExactlyOneFreeThrough() throws Exception
    {
        final int threads = 4;
        final int perRound = 256;
        final int rounds = Math.max(1, OPS / 10_000);
        try (Arena arena = Arena.ofConfined();
            PageMemory memory = PageMemory.builder().budgetBytes(8L << 20).slabBytes(64 << 10).build();
            ObjectAllocator allocator = create(memory))
        {
            final MemorySegment buffer = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final MemorySegment scratch = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final MemorySegment expected = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final SplittableRandom random = new SplittableRandom(SEED);
            final Model kept = new Model();
            long nextId = 0;
            for (int round = 0; round < rounds; round++)
            {
                final String context = "round " + round;
                final long[] doomed = new long[perRound];
                final int[] sizes = new int[perRound];
                for (int i = 0; i < perRound; i++)
                {
                    if (random.nextInt(8) == 0)
                    {
                        final int size = randomSize(random);
                        final long id = nextId++;
                        kept.add(allocateFilled(allocator, size, id, expected), id, size);
                    }
                    sizes[i] = randomSize(random);
                    doomed[i] = allocateFilled(allocator, sizes[i], nextId++, expected);
                }
                // kept objects beyond 200 go, freed by this thread alone, so that the budget holds and the objects
                // the race leaves in place change from round to round
                while (kept.count > 200)
                {
                    final int i = random.nextInt(kept.count);
                    allocator.free(kept.handles[i]);
                    kept.removeAt(i);
                }
                final AtomicIntegerArray successes = new AtomicIntegerArray(perRound);
                final AtomicReference<Throwable> failure = new AtomicReference<>();
                final CountDownLatch start = new CountDownLatch(1);
                final List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++)
                {
                    final int[] order = shuffledIndexes(perRound, random);
                    final boolean withSize = t % 2 == 1;
                    workers.add(Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
                    {
                        for (final int i : order)
                        {
                            try
                            {
                                if (withSize)
                                {
                                    assertEquals(sizes[i], allocator.sizeAndFree(doomed[i]),
                                        "sizeAndFree of handle " + doomed[i] + "; seed " + SEED);
                                }
                                else
                                {
                                    allocator.free(doomed[i]);
                                }
                                successes.incrementAndGet(i);
                            }
                            catch (final IllegalArgumentException refused)
                            {
                                // another thread's free of the same handle went through first
                            }
                        }
                    })));
                }
                start.countDown();
                for (final Thread worker : workers)
                {
                    worker.join();
                }
                if (failure.get() != null)
                {
                    throw new AssertionError(context + "; seed " + SEED, failure.get());
                }
                for (int i = 0; i < perRound; i++)
                {
                    final long handle = doomed[i];
                    assertEquals(1, successes.get(i), context + ": frees of handle " + handle +
                        " that went through; seed " + SEED);
                    assertThrows(IllegalArgumentException.class, () -> allocator.size(handle),
                        context + ": handle " + handle + " still answers after its free; seed " + SEED);
                }
                verifyAll(allocator, memory, kept, buffer, scratch, expected, context, false);
            }
        }
    }

    /**
     * Dead handles are used while the pages their objects were in go back to the page memory and the slabs under
     * those go back to the operating system: an owner fills a page memory of two slabs (none kept mapped once empty)
     * with objects of four sizes and frees them again, all of them in every other round and half of them in the
     * others, publishing each handle once it has freed it; two threads free, size-and-free, read and size the
     * published handles in a loop, and one compacts (moving objects, in an allocator that moves them). Every use of a
     * dead handle is refused with {@link IllegalArgumentException}, and nothing else is thrown.
     * <p>
     * A dead handle may name a live object again once its handle-table entry was reused until the generation came
     * round (undetectable; few sizes reuse entries often enough for it to happen here): a stale free then frees it
     * instead of its owner, whose own free is refused. That stays rare (at most 1% of the uses of dead handles, which
     * an allocator that checked no generation would exceed by far), every object is freed exactly once either way,
     * and once the owner has freed all, the allocator counts no object and no byte, and after a compaction (which
     * gives back a page an allocator keeps as a spare) holds no page.
     */
    @Test
    void staleHandlesRacingTheReleaseOfTheirPagesAreRefused() throws Exception
    {
        final long slab = 64 << 10;
        final int staleThreads = 2;
        final int rounds = Math.max(1, OPS / 1_000);
        final int recent = 256;
        final int old = 2048;
        try (PageMemory memory = PageMemory.builder().budgetBytes(2 * slab).slabBytes(slab).retainedEmptySlabs(0)
            .cpuCachePages(2).build();
            ObjectAllocator allocator = create(memory))
        {
            // the last handles freed, where a stale use races the release of their pages, and after them a random
            // sample of older ones, some old enough that their entry's generation came round
            final AtomicLongArray dead = new AtomicLongArray(recent + old);
            final AtomicLong allocated = new AtomicLong();
            final AtomicLong freed = new AtomicLong();
            final AtomicLong staleUses = new AtomicLong();
            final AtomicLong staleHits = new AtomicLong();
            final AtomicBoolean ownerDone = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> others = new ArrayList<>();
            final Thread owner = Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
            {
                try (Arena arena = Arena.ofConfined())
                {
                    final MemorySegment contents = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
                    final SplittableRandom random = new SplittableRandom(SEED);
                    final int[] sizes = new int[4];
                    for (int i = 0; i < sizes.length; i++)
                    {
                        sizes[i] = Math.min(allocator.maxStoredSize(), randomSize(random));
                    }
                    long[] held = new long[256];
                    int count = 0;
                    int published = 0;
                    for (int round = 0; round <= rounds && failure.get() == null; round++)
                    {
                        // until the budget is spent, however small the sizes: every round runs out of pages
                        while (round < rounds)
                        {
                            final int size = sizes[random.nextInt(sizes.length)];
                            final long handle = allocator.allocate(size);
                            if (handle == ObjectAllocator.NO_MEMORY)
                            {
                                break;
                            }
                            allocated.incrementAndGet();
                            ObjectPattern.fill(contents, SEED, allocated.get(), size);
                            // a stale free may take the object before it is written: the write is refused
                            usedOrRefused(() -> allocator.write(handle, contents, 0));
                            if (count == held.length)
                            {
                                held = java.util.Arrays.copyOf(held, count * 2);
                            }
                            held[count++] = handle;
                        }
                        final int keep = round == rounds || round % 2 == 0 ? 0 : count / 2;
                        for (int i = count - 1; i >= keep; i--)
                        {
                            final int pick = random.nextInt(i + 1);
                            final long handle = held[pick];
                            held[pick] = held[i];
                            if (usedOrRefused(() -> allocator.free(handle)))
                            {
                                freed.incrementAndGet();
                            }
                            dead.set(published++ % recent, handle);
                            if (random.nextInt(16) == 0)
                            {
                                dead.set(recent + random.nextInt(old), handle);
                            }
                        }
                        count = keep;
                    }
                }
                ownerDone.set(true);
            }));
            for (int t = 0; t < staleThreads; t++)
            {
                others.add(Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
                {
                    long uses = 0;
                    try (Arena arena = Arena.ofConfined())
                    {
                        final MemorySegment buffer = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
                        for (int sweep = 0; !ownerDone.get() && failure.get() == null; sweep++)
                        {
                            for (int i = 0; i < dead.length(); i++)
                            {
                                final long handle = dead.get(i);
                                if (handle == 0)
                                {
                                    continue;
                                }
                                final int use = (sweep + i) & 3;
                                final boolean live = switch (use)
                                {
                                    case 0 -> usedOrRefused(() -> allocator.free(handle));
                                    case 1 -> usedOrRefused(() -> allocator.sizeAndFree(handle));
                                    case 2 -> usedOrRefused(() -> allocator.read(handle, buffer, 0));
                                    default -> usedOrRefused(() -> allocator.size(handle));
                                };
                                uses++;
                                if (live)
                                {
                                    staleHits.incrementAndGet();
                                    if (use < 2)
                                    {
                                        freed.incrementAndGet();
                                    }
                                }
                            }
                        }
                    }
                    finally
                    {
                        staleUses.addAndGet(uses);
                    }
                })));
            }
            others.add(Thread.ofPlatform().start(() -> Racers.runAfter(start, failure, () ->
            {
                while (!ownerDone.get() && failure.get() == null)
                {
                    allocator.compact();
                    LockSupport.parkNanos(1_000_000);
                }
            })));
            start.countDown();
            owner.join();
            for (final Thread thread : others)
            {
                thread.join();
            }
            if (failure.get() != null)
            {
                throw new AssertionError("seed " + SEED, failure.get());
            }
            System.out.printf("%s stale handles: seed %d, %d objects, %d of %d stale uses found a live object%n",
                allocatorName(), SEED, allocated.get(), staleHits.get(), staleUses.get());
            assertTrue(staleHits.get() * 100 <= staleUses.get(), staleHits.get() + " of " + staleUses.get() +
                " uses of dead handles found a live object: more than generations coming round explain; seed " +
                SEED);
            assertEquals(allocated.get(), freed.get(), "frees that went through; seed " + SEED);
            assertEquals(0, allocator.stats().objects(), "objects; seed " + SEED);
            assertEquals(0, allocator.stats().storedBytes(), "stored bytes; seed " + SEED);
            allocator.compact();
            assertEquals(0, allocator.stats().pagesUsed(), "pages used; seed " + SEED);
            assertEquals(0, memory.stats().pagesInUse(), "pages in use in the page memory; seed " + SEED);
        }
    }

    /** {@return the new object's handle, holding the pattern of {@code id}; the allocation must succeed} */
    private static long allocateFilled(final ObjectAllocator allocator, final int size, final long id,
        final MemorySegment contents)
    {
        final long handle = allocator.allocate(size);
        assertTrue(handle > 0, "allocation of " + size + " bytes answered " + handle + "; seed " + SEED);
        ObjectPattern.fill(contents, SEED, id, size);
        allocator.write(handle, contents, 0);
        return handle;
    }

    /** {@return whether a use of a handle went through; false if it was refused because the handle is not live} */
    private static boolean usedOrRefused(final Runnable use)
    {
        try
        {
            use.run();
            return true;
        }
        catch (final IllegalArgumentException refused)
        {
            return false;
        }
    }

    private static int[] shuffledIndexes(final int count, final SplittableRandom random)
    {
        final int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    @Test
    void badSizesAreRejectedWithTheAllowedRange()
    {
        try (PageMemory memory = PageMemory.withBudget(1 << 20); ObjectAllocator allocator = create(memory))
        {
            for (final int size : new int[]{0, -1, Integer.MIN_VALUE, ObjectAllocator.MAX_OBJECT_SIZE + 1,
                Integer.MAX_VALUE})
            {
                final IllegalArgumentException ex =
                    assertThrows(IllegalArgumentException.class, () -> allocator.allocate(size));
                assertTrue(ex.getMessage().contains("4096") && ex.getMessage().contains(String.valueOf(size)),
                    "message must give the value and the allowed range: " + ex.getMessage());
            }
        }
    }

    @Test
    void freedForgedAndForeignHandlesAreRejectedWithoutDamage()
    {
        try (Arena arena = Arena.ofConfined();
            PageMemory memory = PageMemory.withBudget(4 << 20);
            ObjectAllocator allocator = create(memory);
            ObjectAllocator other = create(memory))
        {
            final MemorySegment buffer = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final MemorySegment scratch = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final MemorySegment expected = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE);
            final Model model = new Model();
            for (int id = 0; id < 64; id++)
            {
                final int size = 100 + id * 37;
                final long handle = allocator.allocate(size);
                ObjectPattern.fill(expected, SEED, id, size);
                allocator.write(handle, expected, 0);
                model.add(handle, id, size);
            }
            final long freed = allocator.allocate(500);
            allocator.free(freed);
            final long reused = allocator.allocate(500);
            ObjectPattern.fill(expected, SEED, 1000, 500);
            allocator.write(reused, expected, 0);
            model.add(reused, 1000, 500);

            final long foreign = other.allocate(700);
            final List<Long> bad = new ArrayList<>(List.of(freed, foreign, 0L, 1L, -5L, Long.MAX_VALUE,
                Long.MIN_VALUE, model.handles[3] + 1, model.handles[3] ^ (1L << 40), model.handles[5] ^ (1L << 62)));
            final SplittableRandom random = new SplittableRandom(SEED);
            for (int i = 0; i < 200; i++)
            {
                bad.add(random.nextLong());
            }
            for (final long handle : bad)
            {
                if (model.index.containsKey(handle))
                {
                    continue;
                }
                final String what = "handle " + handle;
                assertThrows(IllegalArgumentException.class, () -> allocator.read(handle, buffer, 0), what);
                assertThrows(IllegalArgumentException.class, () -> allocator.write(handle, buffer, 0), what);
                assertThrows(IllegalArgumentException.class, () -> allocator.view(handle, scratch), what);
                assertThrows(IllegalArgumentException.class,
                    () -> allocator.locate(handle, scratch, new ObjectLocation()), what);
                assertThrows(IllegalArgumentException.class, () -> allocator.size(handle), what);
                assertThrows(IllegalArgumentException.class, () -> allocator.free(handle), what);
                assertThrows(IllegalArgumentException.class, () -> allocator.sizeAndFree(handle), what);
            }
            for (int i = 0; i < model.count; i++)
            {
                verify(allocator, model, i, buffer, scratch, expected, "after bad handles");
            }
            assertEquals(model.count, allocator.stats().objects());
            assertEquals(model.storedBytes, allocator.stats().storedBytes());
            other.free(foreign);
            assertEquals(0, other.stats().objects());
        }
    }

    @Test
    void everyUseAfterCloseIsIllegalState()
    {
        try (PageMemory memory = PageMemory.withBudget(1 << 20); Arena arena = Arena.ofConfined())
        {
            final ObjectAllocator allocator = create(memory);
            final long handle = allocator.allocate(100);
            allocator.close();
            assertEquals(0, memory.stats().pagesInUse());
            final MemorySegment buffer = arena.allocate(4096);
            assertThrows(IllegalStateException.class, () -> allocator.allocate(100));
            assertThrows(IllegalStateException.class, () -> allocator.read(handle, buffer, 0));
            assertThrows(IllegalStateException.class, () -> allocator.write(handle, buffer, 0));
            assertThrows(IllegalStateException.class, () -> allocator.view(handle, buffer));
            assertThrows(IllegalStateException.class, () -> allocator.locate(handle, buffer, new ObjectLocation()));
            assertThrows(IllegalStateException.class, () -> allocator.size(handle));
            assertThrows(IllegalStateException.class, () -> allocator.free(handle));
            assertThrows(IllegalStateException.class, () -> allocator.sizeAndFree(handle));
            assertThrows(IllegalStateException.class, allocator::compact);
            assertThrows(IllegalStateException.class, allocator::stats);
            allocator.close();
        }
    }

    @Test
    void closingThePageMemoryUnderTheAllocatorIsIllegalStateNotACrash()
    {
        final PageMemory memory = PageMemory.withBudget(1 << 20);
        final ObjectAllocator allocator = create(memory);
        final long handle = allocator.allocate(100);
        memory.close();
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(4096);
            assertThrows(IllegalStateException.class, () -> allocator.read(handle, buffer, 0));
            assertThrows(IllegalStateException.class, () -> allocator.allocate(100));
        }
    }

    @Test
    void unknownAllocatorNameListsTheKnownOnes()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> AllocatorProvider.named("no-such-allocator"));
        assertTrue(ex.getMessage().contains("no-such-allocator") && ex.getMessage().contains(allocatorName()),
            ex.getMessage());
    }
}
