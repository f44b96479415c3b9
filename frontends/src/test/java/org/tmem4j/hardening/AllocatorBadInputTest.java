package org.tmem4j.hardening;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tmem4j.alloc.AllocatorProvider;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectPattern;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tmem4j.hardening.BadInput.row;

/**
 * The bad-input table of the allocator SPI, run against zbud and zsmalloc: sizes out of range, forged, freed,
 * foreign and zero handles, buffers too small or read-only, use after close. Each misuse must raise the documented
 * exception with a message naming the problem, and leave a bystander object intact; afterwards every page goes back.
 */
final class AllocatorBadInputTest
{
    private static final long SEED = 7;
    private static final int BYSTANDER_SIZE = 1_234;
    private static final int LIVE_SIZE = 1_000;

    @TestFactory
    List<DynamicTest> zbud()
    {
        return table("zbud");
    }

    @TestFactory
    List<DynamicTest> zsmalloc()
    {
        return table("zsmalloc");
    }

    private static List<DynamicTest> table(final String name)
    {
        final PageMemory memory = PageMemory.withBudget(4 << 20);
        final Arena arena = Arena.ofShared();
        final ObjectAllocator allocator = AllocatorProvider.named(name).create(memory);
        final ObjectAllocator other = AllocatorProvider.named(name).create(memory);
        final ObjectAllocator closed = AllocatorProvider.named(name).create(memory);
        final MemorySegment buffer = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE, 8);
        final MemorySegment scratch = arena.allocate(ObjectAllocator.MAX_OBJECT_SIZE, 8);

        final long bystander = store(allocator, buffer, 1, BYSTANDER_SIZE);
        final long live = store(allocator, buffer, 2, LIVE_SIZE);
        final long freed = store(allocator, buffer, 3, 700);
        allocator.free(freed);
        final long foreign = store(other, buffer, 4, 700);
        final long closedHandle = store(closed, buffer, 5, 700);
        closed.close();
        final MemorySegment small = arena.allocate(LIVE_SIZE - 1);
        final MemorySegment readOnly = arena.allocate(LIVE_SIZE).asReadOnly();

        final List<BadInput> rows = new ArrayList<>(List.of(
            row("allocate 0 bytes", IllegalArgumentException.class, () -> allocator.allocate(0), "size", "\\b0\\b",
                "4096"),
            row("allocate -1 bytes", IllegalArgumentException.class, () -> allocator.allocate(-1), "size", "-1"),
            row("allocate 4097 bytes", IllegalArgumentException.class, () -> allocator.allocate(4097), "size",
                "4097", "4096"),
            row("free handle 0", IllegalArgumentException.class, () -> allocator.free(0), "handle"),
            row("free a negative handle", IllegalArgumentException.class, () -> allocator.free(-3), "handle"),
            row("free a forged handle", IllegalArgumentException.class, () -> allocator.free(Long.MAX_VALUE),
                "handle", "(forged|not live|not handed out|not issued|unknown|invalid)"),
            row("free a freed handle", IllegalArgumentException.class, () -> allocator.free(freed), "handle",
                "(freed|not live|stale)"),
            row("read a freed handle", IllegalArgumentException.class, () -> allocator.read(freed, buffer, 0),
                "handle", "(freed|not live|stale)"),
            row("view a freed handle", IllegalArgumentException.class, () -> allocator.view(freed, scratch),
                "handle", "(freed|not live|stale)"),
            row("size of a freed handle", IllegalArgumentException.class, () -> allocator.size(freed), "handle"),
            row("write a freed handle", IllegalArgumentException.class, () -> allocator.write(freed, buffer, 0),
                "handle", "(freed|not live|stale)"),
            row("free another allocator's handle", IllegalArgumentException.class, () -> allocator.free(foreign),
                "handle", "(another|foreign|not handed out|this)"),
            row("read another allocator's handle", IllegalArgumentException.class,
                () -> allocator.read(foreign, buffer, 0), "handle"),
            row("read into a buffer one byte too small", IndexOutOfBoundsException.class,
                IllegalArgumentException.class, () -> allocator.read(live, small, 0), "999", "1000"),
            row("read at an offset past the buffer's end", IndexOutOfBoundsException.class,
                IllegalArgumentException.class,
                () -> allocator.read(live, buffer, ObjectAllocator.MAX_OBJECT_SIZE - LIVE_SIZE + 1), "3097", "1000"),
            row("write from a buffer one byte too small", IndexOutOfBoundsException.class,
                IllegalArgumentException.class, () -> allocator.write(live, small, 0), "999", "1000"),
            row("read into a read-only buffer", IllegalArgumentException.class,
                () -> allocator.read(live, readOnly, 0), "read-only"),
            row("allocate after close", IllegalStateException.class, () -> closed.allocate(100), "closed"),
            row("read after close", IllegalStateException.class, () -> closed.read(closedHandle, buffer, 0),
                "closed"),
            row("free after close", IllegalStateException.class, () -> closed.free(closedHandle), "closed")));

        final List<DynamicTest> tests = BadInput.tests(name, rows, () ->
        {
            assertEquals(-1, readMismatch(allocator, bystander, buffer, scratch, 1, BYSTANDER_SIZE),
                "the bystander object was damaged");
            assertEquals(-1, readMismatch(allocator, live, buffer, scratch, 2, LIVE_SIZE),
                "the live object was damaged");
        });
        tests.add(DynamicTest.dynamicTest(name + ": close returns every page", () ->
        {
            allocator.close();
            other.close();
            assertEquals(0, memory.stats().pagesInUse(), "pages still in use after every allocator closed");
            memory.close();
            assertEquals(0, memory.stats().reservedBytes(), "bytes still mapped after the page memory closed");
            arena.close();
        }));
        return tests;
    }

    private static long store(final ObjectAllocator allocator, final MemorySegment buffer, final long id,
        final int size)
    {
        final long handle = allocator.allocate(size);
        ObjectPattern.fill(buffer, SEED, id, size);
        allocator.write(handle, buffer, 0);
        return handle;
    }

    private static long readMismatch(final ObjectAllocator allocator, final long handle, final MemorySegment buffer,
        final MemorySegment scratch, final long id, final int size)
    {
        allocator.read(handle, buffer, 0);
        return ObjectPattern.mismatch(buffer, scratch, SEED, id, size);
    }
}
