package org.tmem4j.alloc;

import java.lang.foreign.MemorySegment;

/**
 * Where an object's bytes can be read in place: a segment and the object's range in it, filled by
 * {@link ObjectAllocator#locate}. A caller keeps one per thread (or per compressor slot) and reuses it, so that
 * finding an object allocates nothing: a fresh slice per read would cost an object per page, and a codec that
 * wraps segments for a library a new wrapper as well.
 * <p>
 * Not thread-safe; the fields are valid until the next {@code locate} into it, and the bytes as long as
 * {@link ObjectAllocator#view} says.
 */
public final class ObjectLocation
{
    private MemorySegment segment = MemorySegment.NULL;
    private long offset;
    private int length;

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
        this.segment = segment;
        this.offset = offset;
        this.length = length;
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
}
