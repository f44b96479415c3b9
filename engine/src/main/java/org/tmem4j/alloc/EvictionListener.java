package org.tmem4j.alloc;

/**
 * The owner's side of {@link ObjectAllocator#evict(int, EvictionListener)}: the reverse map from a handle being
 * reclaimed to whatever index entry refers to it.
 */
@FunctionalInterface
public interface EvictionListener
{
    /**
     * Asks the owner to drop its reference to an object whose page is being reclaimed. The owner may read the
     * object during this call (to write it back elsewhere) but must not free it.
     *
     * @param handle the object's handle, still valid during this call.
     * @return {@code true} if the owner gave the handle up (the allocator frees it); {@code false} if the owner no
     * longer holds it because it is already being freed through {@link ObjectAllocator#free(long)}.
     */
    boolean evicted(long handle);
}
