package org.tmem4j.jcstress.alloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.tmem4j.alloc.AllocatorProvider;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectLocation;
import org.tmem4j.memory.PageMemory;

/**
 * What the allocator tests share: one page memory, allocators found by name through the SPI (so these tests run
 * against whatever zbud and zsmalloc are on the class path, without compiling against their internals), and object
 * contents that name their object, so a reader can tell the bytes it reads apart from any other object's.
 */
final class ObjectBytes
{
    static final PageMemory MEMORY = PageMemory.builder().budgetBytes(1L << 30).build();

    private static final ThreadLocal<MemorySegment> SCRATCH =
        ThreadLocal.withInitial(() -> Arena.global().allocate(ObjectAllocator.MAX_OBJECT_SIZE, 8));

    private static final ThreadLocal<ObjectLocation> LOCATION = ThreadLocal.withInitial(ObjectLocation::new);

    private ObjectBytes()
    {
    }

    /**
     * @param name an allocator's name.
     * @return a new allocator of that name over the shared page memory; the caller closes it.
     */
    static ObjectAllocator allocator(final String name)
    {
        return AllocatorProvider.named(name).create(MEMORY);
    }

    /**
     * Allocates an object of {@code size} bytes and fills it with the pattern of {@code tag}.
     *
     * @return the handle.
     * @throws IllegalStateException if the allocator refused (the budget is large, so that is a bug).
     */
    static long store(final ObjectAllocator allocator, final int size, final long tag)
    {
        final long handle = allocator.allocate(size);
        if (handle <= 0)
        {
            throw new IllegalStateException(allocator.name() + " refused " + size + " bytes: " + handle);
        }
        final MemorySegment src = SCRATCH.get();
        fill(src, size, tag);
        allocator.write(handle, src, 0);
        return handle;
    }

    /**
     * Reads an object through {@link ObjectAllocator#read} and checks it against the pattern of {@code tag}.
     *
     * @return whether every byte matched.
     */
    static boolean readMatches(final ObjectAllocator allocator, final long handle, final int size, final long tag)
    {
        final MemorySegment dst = SCRATCH.get();
        allocator.read(handle, dst, 0);
        return matches(dst, size, tag);
    }

    /**
     * Reads an object through {@link ObjectAllocator#view} and checks it against the pattern of {@code tag}.
     *
     * @return whether every byte matched.
     */
    static boolean viewMatches(final ObjectAllocator allocator, final long handle, final int size, final long tag)
    {
        final MemorySegment view = allocator.view(handle, SCRATCH.get());
        return view.byteSize() == size && matches(view, size, tag);
    }

    /**
     * Reads an object where {@link ObjectAllocator#locate} finds it (pinned in pool memory, or copied to scratch),
     * checks it against the pattern of {@code tag} and unpins it, as the engine's get does.
     *
     * @return whether every byte matched.
     */
    static boolean locateMatches(final ObjectAllocator allocator, final long handle, final int size, final long tag)
    {
        final ObjectLocation where = LOCATION.get();
        allocator.locate(handle, SCRATCH.get(), where);
        try
        {
            return where.length() == size && matches(where.segment().asSlice(where.offset(), size), size, tag);
        }
        finally
        {
            allocator.unpin(where);
        }
    }

    private static void fill(final MemorySegment dst, final int size, final long tag)
    {
        for (int i = 0; i + 8 <= size; i += 8)
        {
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, i, tag * 31 + i);
        }
        for (int i = size & ~7; i < size; i++)
        {
            dst.set(ValueLayout.JAVA_BYTE, i, (byte)tag);
        }
    }

    private static boolean matches(final MemorySegment bytes, final int size, final long tag)
    {
        for (int i = 0; i + 8 <= size; i += 8)
        {
            if (bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, i) != tag * 31 + i)
            {
                return false;
            }
        }
        for (int i = size & ~7; i < size; i++)
        {
            if (bytes.get(ValueLayout.JAVA_BYTE, i) != (byte)tag)
            {
                return false;
            }
        }
        return true;
    }
}
