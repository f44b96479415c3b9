package org.tmem4j.hardening;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.memory.PageMemory;

/**
 * A real allocator behind a switchboard of faults, for the fault suite: it refuses allocations on demand (as a full
 * pool does, {@link ObjectAllocator#NO_MEMORY}) and flips bytes of live objects, which it tracks, so the engine
 * above can be driven through the failures it must survive without knowing it is being tested.
 * <p>
 * Refusal is decided per call from a rate in 1/1024 units and a per-thread random stream, so faults land at random
 * points of concurrent traffic; every refusal is counted.
 */
final class FaultInjectingAllocator implements ObjectAllocator
{
    private final ObjectAllocator delegate;
    private final PageMemory memory;
    private final ConcurrentHashMap<Long, Boolean> live = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final ThreadLocal<SplittableRandom> random;
    private volatile int refusalPer1024;
    private volatile long pagesInUseAfterClose = -1;

    FaultInjectingAllocator(final ObjectAllocator delegate, final PageMemory memory, final long seed)
    {
        this.delegate = delegate;
        this.memory = memory;
        final AtomicLong streams = new AtomicLong(seed);
        this.random = ThreadLocal.withInitial(() -> new SplittableRandom(streams.getAndIncrement()));
    }

    /**
     * @param per1024 how many allocations in 1024 to refuse with {@link ObjectAllocator#NO_MEMORY}; 1024 refuses all.
     */
    void refuse(final int per1024)
    {
        if (per1024 < 0 || per1024 > 1024)
        {
            throw new IllegalArgumentException("refusal rate must be 0..1024 per 1024, was " + per1024);
        }
        refusalPer1024 = per1024;
    }

    long refused()
    {
        return refused.get();
    }

    PageMemory memory()
    {
        return memory;
    }

    ObjectAllocator delegate()
    {
        return delegate;
    }

    /**
     * @return handles allocated and not freed, as this wrapper saw them.
     */
    long[] liveHandles()
    {
        return live.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Flips one byte of a live object in place, behind the back of whoever stored it. Call only while nothing
     * reads or frees the object (the SPI forbids writing a handle that is being read).
     *
     * @param handle a live handle.
     * @param offset the byte to flip, reduced modulo the object's size.
     * @return whether the object was still live and got flipped.
     */
    boolean flipByte(final long handle, final int offset)
    {
        if (!live.containsKey(handle))
        {
            return false;
        }
        final int size = delegate.size(handle);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment copy = arena.allocate(size);
            delegate.read(handle, copy, 0);
            final long at = Math.floorMod(offset, size);
            copy.set(ValueLayout.JAVA_BYTE, at, (byte)~copy.get(ValueLayout.JAVA_BYTE, at));
            delegate.write(handle, copy, 0);
        }
        return true;
    }

    @Override
    public String name()
    {
        return delegate.name();
    }

    @Override
    public int maxStoredSize()
    {
        return delegate.maxStoredSize();
    }

    @Override
    public long allocate(final int size)
    {
        final int rate = refusalPer1024;
        if (rate > 0 && (rate == 1024 || random.get().nextInt(1024) < rate))
        {
            refused.incrementAndGet();
            return NO_MEMORY;
        }
        final long handle = delegate.allocate(size);
        if (handle > 0)
        {
            live.put(handle, Boolean.TRUE);
        }
        return handle;
    }

    @Override
    public void write(final long handle, final MemorySegment src, final long srcOffset)
    {
        delegate.write(handle, src, srcOffset);
    }

    @Override
    public void read(final long handle, final MemorySegment dst, final long dstOffset)
    {
        delegate.read(handle, dst, dstOffset);
    }

    @Override
    public MemorySegment view(final long handle, final MemorySegment scratch)
    {
        return delegate.view(handle, scratch);
    }

    @Override
    public int size(final long handle)
    {
        return delegate.size(handle);
    }

    @Override
    public void free(final long handle)
    {
        delegate.free(handle);
        live.remove(handle);
    }

    @Override
    public long compact()
    {
        return delegate.compact();
    }

    @Override
    public AllocatorStats stats()
    {
        return delegate.stats();
    }

    /**
     * @return the page memory's pages in use right after this allocator closed (-1 before), which must be what
     * other allocators on the same memory hold: 0 for an engine's own memory.
     */
    long pagesInUseAfterClose()
    {
        return pagesInUseAfterClose;
    }

    @Override
    public void close()
    {
        delegate.close();
        live.clear();
        if (!memory.isClosed())
        {
            pagesInUseAfterClose = memory.stats().pagesInUse();
        }
    }
}
