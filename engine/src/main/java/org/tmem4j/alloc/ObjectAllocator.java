package org.tmem4j.alloc;

import java.lang.foreign.MemorySegment;

/**
 * An allocator that packs variable-sized objects (compressed pages, 1 to {@link #MAX_OBJECT_SIZE} bytes) into the
 * pages of a {@link org.tmem4j.memory.PageMemory}: the service provider interface that zbud and zsmalloc implement
 * and the engine uses without knowing which one it has.
 * <p>
 * <b>Handles.</b> {@link #allocate(int)} answers an opaque positive {@code long}, or a negative sentinel on the
 * normal failures of a full pool ({@link #NO_MEMORY}) or an object the allocator's layout cannot hold
 * ({@link #TOO_LARGE}); it never throws on those paths. Every other method validates its handle: a freed, forged or
 * foreign handle raises {@link IllegalArgumentException} and never touches another object's bytes.
 * <p>
 * <b>Threads.</b> Implementations are thread-safe. Distinct handles may be used concurrently; one handle must not
 * be written while it is read or freed. Allocators that move objects ({@link #compact()}) keep every handle valid
 * and make reads that race with a move return the object's bytes.
 * <p>
 * <b>Lifecycle.</b> An allocator owns the pages it takes and gives all of them back on {@link #close()}; it does not
 * close the page memory, which may be shared. Any use after close raises {@link IllegalStateException}.
 */
public interface ObjectAllocator extends AutoCloseable
{
    /** The largest size any allocator accepts: one whole page. Larger requests are bad input. */
    int MAX_OBJECT_SIZE = 4096;

    /** Sentinel of {@link #allocate(int)}: the page memory's budget leaves no room. */
    long NO_MEMORY = -1;

    /** Sentinel of {@link #allocate(int)}: the size is valid but this allocator's layout cannot hold it. */
    long TOO_LARGE = -2;

    /**
     * {@return the name this allocator is found by, e.g. {@code "zsmalloc"}}
     */
    String name();

    /**
     * {@return the largest object this allocator stores; larger (≤ {@link #MAX_OBJECT_SIZE}) get {@link #TOO_LARGE}}
     */
    int maxStoredSize();

    /**
     * Reserves room for an object.
     *
     * @param size the object's size in bytes, 1 to {@link #MAX_OBJECT_SIZE}.
     * @return a handle ({@code > 0}), {@link #NO_MEMORY} or {@link #TOO_LARGE}.
     * @throws IllegalArgumentException if size is outside 1..{@link #MAX_OBJECT_SIZE}.
     */
    long allocate(int size);

    /**
     * Copies {@link #size(long)} bytes into the object.
     *
     * @param handle    a live handle.
     * @param src       where the bytes come from (heap or native).
     * @param srcOffset offset of the first byte in {@code src}.
     */
    void write(long handle, MemorySegment src, long srcOffset);

    /**
     * Copies the object's {@link #size(long)} bytes out.
     *
     * @param handle    a live handle.
     * @param dst       where the bytes go.
     * @param dstOffset offset in {@code dst}.
     */
    void read(long handle, MemorySegment dst, long dstOffset);

    /**
     * Exposes the object's bytes for reading without a copy where possible, so a codec can decompress from pool
     * memory directly.
     *
     * @param handle  a live handle.
     * @param scratch at least {@link #size(long)} bytes the allocator may gather the object into, when it is not
     *                contiguous in pool memory or may move.
     * @return a read-only segment of exactly {@link #size(long)} bytes: a slice of pool memory, valid until the
     * handle is freed, or a slice of {@code scratch}.
     */
    MemorySegment view(long handle, MemorySegment scratch);

    /**
     * {@link #view} without making a segment: records where the object's bytes can be read in place. An allocator
     * whose objects lie in pool memory records the pool segment and the object's offset in it; the default records
     * the view.
     * <p>
     * An allocator that moves objects ({@link #compact()}) may <i>pin</i> the object instead of copying it: the
     * location then holds a pin ({@link ObjectLocation#pin()}) and nothing moves the object's bytes or gives them back
     * until the caller calls {@link #unpin}. The caller must call it after every {@code locate}, as soon as it has
     * read the bytes (a pin held long delays compaction), and must not free or compact in between (a move waits for
     * the pins taken before it, the caller's own included).
     *
     * @param handle  a live handle.
     * @param scratch as for {@link #view}.
     * @param into    receives the segment, offset and length; valid as long as {@link #view}'s answer would be, or
     *                until {@link #unpin} for a pinned location.
     */
    default void locate(final long handle, final MemorySegment scratch, final ObjectLocation into)
    {
        final MemorySegment view = view(handle, scratch);
        into.set(view, 0, (int)view.byteSize());
    }

    /**
     * Ends the read of a location filled by {@link #locate}: releases its pin, if it holds one (a no-op otherwise).
     *
     * @param location what {@link #locate} filled; its pin is spent afterwards.
     */
    default void unpin(final ObjectLocation location)
    {
    }

    /**
     * {@return the size the object was allocated with}
     *
     * @param handle a live handle.
     */
    int size(long handle);

    /**
     * Releases an object. Pages left with no object go back to the page memory.
     *
     * @param handle a live handle; afterwards it is dead and any use of it is an error.
     */
    void free(long handle);

    /**
     * Releases an object, as {@link #free}, and tells the size it was allocated with, as {@link #size} would have
     * before: a caller that accounts for the bytes it frees (zcache) would otherwise look the object up twice. An
     * allocator that locks to look an object up overrides this to take its lock once: with more threads than CPUs,
     * each lock taken is a chance to queue behind a holder that lost its CPU.
     *
     * @param handle a live handle; afterwards it is dead and any use of it is an error.
     * @return the object's size.
     */
    default int sizeAndFree(final long handle)
    {
        final int size = size(handle);
        free(handle);
        return size;
    }

    /**
     * Moves objects to free pages, where the design allows it.
     *
     * @return pages returned to the page memory (0 for allocators that never move objects).
     */
    long compact();

    /**
     * {@return a snapshot of this allocator's accounting}
     */
    AllocatorStats stats();

    /**
     * Frees every object and gives every page back to the page memory.
     */
    @Override
    void close();
}
