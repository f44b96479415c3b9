package org.tmem4j.zsmalloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.ObjectLocation;
import org.tmem4j.alloc.ObjectPattern;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An object {@link Zsmalloc#locate} pinned in pool memory stays where it is, with its bytes, until
 * {@link Zsmalloc#unpin}: a compaction that would move it, and a close that would give its pages back, wait for the
 * pin. The test holds a pin, starts the mover on another thread, waits until that thread is waiting for readers (seen
 * in its stack, so no timing is involved), checks the object in place, then unpins and lets the mover finish.
 */
final class ZsmallocPinsTest
{
    private static final long SEED = 7;
    private static final int SIZE = 200;

    @Test
    void compactionWaitsForAPinnedReader() throws Exception
    {
        try (Arena arena = Arena.ofConfined(); PageMemory memory = PageMemory.withBudget(16L << 20);
            Zsmalloc allocator = Zsmalloc.builder(memory).shardsPerClass(1).build())
        {
            final List<Long> handles = fill(allocator, arena, 400);
            for (int i = 1; i < handles.size() - 1; i++)
            {
                allocator.free(handles.get(i));
            }
            // the first object (slot 0, within the first chunk) is pinned; compaction moves the last one (and any
            // move of bytes waits for every pin taken before it)
            final long moved = holdWhile(allocator, arena, handles.getFirst(), 0, allocator::compact);
            assertTrue(moved > 0, "compaction freed no page: the test moved nothing");
            checkCopy(allocator, arena, handles.getFirst(), 0);
            checkCopy(allocator, arena, handles.getLast(), handles.size() - 1);
        }
    }

    @Test
    void closeWaitsForAPinnedReader() throws Exception
    {
        try (Arena arena = Arena.ofConfined(); PageMemory memory = PageMemory.withBudget(16L << 20))
        {
            final Zsmalloc allocator = Zsmalloc.builder(memory).shardsPerClass(1).build();
            final List<Long> handles = fill(allocator, arena, 40);
            holdWhile(allocator, arena, handles.getFirst(), 0, () ->
            {
                allocator.close();
                return 0;
            });
            assertEquals(0, memory.stats().pagesInUse(), "close gave the pages back once the pin went");
        }
    }

    /** A mover run on another thread. */
    private interface Mover
    {
        long run();
    }

    /**
     * Pins an object, runs the mover on another thread until it waits for readers, checks the pinned bytes, unpins
     * and waits for the mover.
     *
     * @return what the mover answered.
     */
    private static long holdWhile(final Zsmalloc allocator, final Arena arena, final long handle, final long id,
        final Mover mover) throws InterruptedException
    {
        final ObjectLocation where = new ObjectLocation();
        allocator.locate(handle, arena.allocate(4096), where);
        assertNotEquals(ObjectLocation.NO_PIN, where.pin(), "an object within one chunk is read in place");
        assertEquals(SIZE, where.length());
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long[] answer = new long[1];
        final Thread thread = Thread.ofPlatform().start(() ->
        {
            try
            {
                answer[0] = mover.run();
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
        });
        try
        {
            while (thread.isAlive() && !waitsForReaders(thread))
            {
                Thread.onSpinWait();
            }
            assertTrue(thread.isAlive(), "the mover finished while an object was pinned");
            final MemorySegment expected = arena.allocate(4096);
            final MemorySegment pinned = where.segment().asSlice(where.offset(), where.length());
            assertEquals(-1, ObjectPattern.mismatch(pinned, expected, SEED, id, SIZE), "pinned bytes changed");
        }
        finally
        {
            allocator.unpin(where);
        }
        thread.join();
        if (failure.get() != null)
        {
            throw new AssertionError(failure.get());
        }
        return answer[0];
    }

    /**
     * {@return whether a thread is waiting, in its stack, for the readers pinned before it}
     */
    static boolean waitsForReaders(final Thread thread)
    {
        for (final StackTraceElement frame : thread.getStackTrace())
        {
            if (frame.getClassName().equals(ReadPins.class.getName()) && frame.getMethodName().equals("awaitReaders"))
            {
                return true;
            }
        }
        return false;
    }

    private static List<Long> fill(final Zsmalloc allocator, final Arena arena, final int count)
    {
        final MemorySegment buffer = arena.allocate(4096);
        final List<Long> handles = new ArrayList<>();
        for (int id = 0; id < count; id++)
        {
            final long handle = allocator.allocate(SIZE);
            ObjectPattern.fill(buffer, SEED, id, SIZE);
            allocator.write(handle, buffer, 0);
            handles.add(handle);
        }
        return handles;
    }

    private static void checkCopy(final Zsmalloc allocator, final Arena arena, final long handle, final long id)
    {
        final MemorySegment buffer = arena.allocate(4096);
        allocator.read(handle, buffer, 0);
        assertEquals(-1, ObjectPattern.mismatch(buffer, arena.allocate(4096), SEED, id, SIZE), "moved object differs");
    }
}
