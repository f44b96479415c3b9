package org.tmem4j.codec;

import java.lang.foreign.MemorySegment;

/**
 * One slot of a {@link CompressorPool}, held by one thread between {@link CompressorPool#acquire()} and
 * {@link #close()}: a codec with its native state and two off-heap buffers, an output buffer that fits the worst
 * case of compressing the pool's largest page and a page-sized scratch buffer (for gathering a page that an
 * allocator stores in pieces). Use it in try-with-resources:
 * <pre>{@code
 * try (CompressorSlot slot = pool.acquire())
 * {
 *     int length = slot.compress(page, offset, PAGE_SIZE);
 *     if (length != Codec.DOES_NOT_FIT) { ... copy slot.output()[0, length) into the allocator ... }
 * }
 * }</pre>
 * The buffers' contents are the holder's only while it holds the slot. Using a slot after releasing it throws
 * {@link IllegalStateException} unless another thread has meanwhile acquired it, which the slot cannot tell.
 */
public final class CompressorSlot implements AutoCloseable
{
    private final CompressorPool pool;
    private final int index;
    private final Codec codec;
    private final MemorySegment output;
    private final MemorySegment scratch;
    private final int outputCapacity;

    CompressorSlot(
        final CompressorPool pool, final int index, final Codec codec, final MemorySegment output,
        final MemorySegment scratch)
    {
        this.pool = pool;
        this.index = index;
        this.codec = codec;
        this.output = output;
        this.scratch = scratch;
        this.outputCapacity = Math.toIntExact(output.byteSize());
    }

    /**
     * {@return this slot's codec, for decompressing or compressing into other memory}
     */
    public Codec codec()
    {
        pool.checkHeld(index);
        return codec;
    }

    /**
     * {@return the off-heap output buffer, {@code codec().maxCompressedLength(maxPageSize)} bytes}
     */
    public MemorySegment output()
    {
        pool.checkHeld(index);
        return output;
    }

    /**
     * {@return the off-heap scratch buffer, {@code maxPageSize} bytes, 4 KiB aligned}
     */
    public MemorySegment scratch()
    {
        pool.checkHeld(index);
        return scratch;
    }

    /**
     * Compresses {@code page[offset, offset + length)} into {@link #output()} at offset 0.
     *
     * @param page   native memory holding the page.
     * @param offset offset of the page.
     * @param length page length, at most the pool's {@code maxPageSize}.
     * @return the compressed length; never {@link Codec#DOES_NOT_FIT} for a page up to {@code maxPageSize}.
     */
    public int compress(final MemorySegment page, final long offset, final int length)
    {
        pool.checkHeld(index);
        return codec.compress(page, offset, length, output, 0, outputCapacity);
    }

    /**
     * {@return the slot's number in its pool, 0 to {@code slots() - 1}}
     */
    public int index()
    {
        return index;
    }

    /**
     * Gives the slot back to its pool.
     *
     * @throws IllegalStateException if the slot is not held (released twice).
     */
    @Override
    public void close()
    {
        pool.release(index);
    }

    void closeCodec()
    {
        codec.close();
    }
}
