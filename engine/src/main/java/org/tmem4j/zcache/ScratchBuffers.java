package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.tmem4j.concurrent.CurrentCpu;

/**
 * Off-heap buffers of one object's size for reading a stored page's header where no compressor slot is held (a free
 * may run inside a put that holds one, so it must not wait for another). Taken from the current CPU's place first;
 * when every one is taken, a temporary buffer that the garbage collector frees.
 */
final class ScratchBuffers implements AutoCloseable
{
    private final Arena arena = Arena.ofShared();
    private final AtomicReferenceArray<MemorySegment> free;
    private final int bytes;

    ScratchBuffers(final int count, final int bytes)
    {
        this.bytes = bytes;
        this.free = new AtomicReferenceArray<>(count);
        for (int i = 0; i < count; i++)
        {
            free.set(i, arena.allocate(bytes, 64));
        }
    }

    /**
     * {@return a buffer for the caller alone until {@link #give}}
     */
    MemorySegment take()
    {
        final int count = free.length();
        int index = CurrentCpu.stripe() % count;
        for (int i = 0; i < count; i++)
        {
            final MemorySegment buffer = free.getAndSet(index, null);
            if (buffer != null)
            {
                return buffer;
            }
            index = index + 1 == count ? 0 : index + 1;
        }
        return Arena.ofAuto().allocate(bytes, 64);
    }

    /**
     * Gives a buffer back (a temporary one is left to the collector).
     */
    void give(final MemorySegment buffer)
    {
        final int count = free.length();
        int index = CurrentCpu.stripe() % count;
        for (int i = 0; i < count; i++)
        {
            if (free.compareAndSet(index, null, buffer))
            {
                return;
            }
            index = index + 1 == count ? 0 : index + 1;
        }
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
