package org.tmem4j.alloc;

import java.lang.foreign.MemorySegment;

import org.tmem4j.concurrent.CacheLinePadding;

/**
 * Where an object's bytes can be read in place: a segment and the object's range in it, filled by
 * {@link ObjectAllocator#locate}. A caller keeps one per thread (or per compressor slot) and reuses it, so that
 * finding an object allocates nothing: a fresh slice per read would cost an object per page, and a codec that
 * wraps segments for a library a new wrapper as well. Every get writes its location, so locations start a cache line
 * apart ({@link CacheLinePadding}): those of compressor slots made one after another are written by different CPUs.
 * <p>
 * Not thread-safe; the fields are valid until the next {@code locate} into it, and the bytes as long as
 * {@link ObjectAllocator#view} says, or, for a location that holds a pin ({@link #pin()}), until
 * {@link ObjectAllocator#unpin}.
 */
public final class ObjectLocation extends CacheLinePadding
{
    /** {@link #pin()} of a location that holds no pin. */
    public static final int NO_PIN = -1;

    private MemorySegment segment = MemorySegment.NULL;
    private long offset;
    private int length;
    private int pin = NO_PIN;

    /**
     * Creates an empty location, to be filled by {@link ObjectAllocator#locate}.
     */
    public ObjectLocation()
    {
    }

    /**
     * Records a location.
     *
     * @param segment the segment holding the object.
     * @param offset  the object's first byte in it.
     * @param length  the object's size.
     */
    public void set(final MemorySegment segment, final long offset, final int length)
    {
        set(segment, offset, length, NO_PIN);
    }

    /**
     * Records a location in pool memory that the allocator keeps in place until {@link ObjectAllocator#unpin}.
     *
     * @param segment the segment holding the object.
     * @param offset  the object's first byte in it.
     * @param length  the object's size.
     * @param pin     the allocator's token for the pin, not {@link #NO_PIN}; meaningful to that allocator only.
     */
    public void set(final MemorySegment segment, final long offset, final int length, final int pin)
    {
        this.segment = segment;
        this.offset = offset;
        this.length = length;
        this.pin = pin;
    }

    /**
     * {@return the segment holding the object: pool memory (read it, never write it) or the scratch buffer}
     */
    public MemorySegment segment()
    {
        return segment;
    }

    /**
     * {@return the object's first byte in {@link #segment()}}
     */
    public long offset()
    {
        return offset;
    }

    /**
     * {@return the object's size in bytes}
     */
    public int length()
    {
        return length;
    }

    /**
     * {@return the allocator's token for the pin this location holds, {@link #NO_PIN} if it holds none}
     */
    public int pin()
    {
        return pin;
    }
}
