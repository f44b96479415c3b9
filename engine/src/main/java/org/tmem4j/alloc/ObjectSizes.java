package org.tmem4j.alloc;

/**
 * The argument check every {@link ObjectAllocator} makes on an object's size, so that all allocators reject the
 * same sizes with the same message.
 */
public final class ObjectSizes
{
    private ObjectSizes()
    {
    }

    /**
     * {@return size, when it is 1 to {@link ObjectAllocator#MAX_OBJECT_SIZE}}
     *
     * @param size an object's size in bytes, as passed to {@link ObjectAllocator#allocate}.
     * @throws IllegalArgumentException naming the allowed range and the size, when it is outside it.
     */
    public static int checkObjectSize(final int size)
    {
        if (size < 1 || size > ObjectAllocator.MAX_OBJECT_SIZE)
        {
            throw new IllegalArgumentException(
                "object size must be from 1 to " + ObjectAllocator.MAX_OBJECT_SIZE + " bytes, was " + size);
        }
        return size;
    }
}
