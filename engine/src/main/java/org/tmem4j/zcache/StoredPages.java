package org.tmem4j.zcache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectLocation;
import org.tmem4j.codec.CompressorSlot;
import org.tmem4j.codec.CorruptDataException;
import org.tmem4j.codec.PageChecksum;
import org.tmem4j.codec.SameFilledPage;
import org.tmem4j.concurrent.CpuCounters;

/**
 * The mapping between a stored page's {@link PageValue} and the allocator objects that hold it: storing a compressed
 * page (in one object, or spanned over parts listed by a directory object when it exceeds the allocator's largest
 * object), loading it back (gathering the parts, verifying the checksum, decompressing), freeing it, and the byte
 * accounting of each pool that goes with those.
 * <pre>
 *   one object:   [compressed bytes | xxHash32 of the page (checksums on)]
 *   spanned:      directory object [part handle 0 | part handle 1 | ...]  -&gt;  parts of at most the largest object,
 *                 concatenated: the same layout as one object
 * </pre>
 * The checksum covers the page itself, not its compressed form: checked after decompression, it catches damage to
 * the stored bytes and a codec that compressed or decompressed wrongly alike.
 * <p>
 * <b>Headers.</b> In an engine whose pages are compressed in more than one way ({@link PageCodecs}), the compressed
 * bytes start with a {@link PageHeader} naming the codec and dictionary; freeing such a page reads it to release
 * the page's dictionary.
 * <p>
 * <b>Raw pages.</b> A page kept uncompressed (see {@link Zcache.Builder#rawIncompressible(boolean)}) has the same
 * layout with the page's own bytes in place of the compressed ones. It needs no flag: admission never lets a
 * compressed page reach 7/8 of a page, so a payload of exactly one page is a raw page, copied instead of
 * decompressed. A raw page never evicts anything to make room: it is stored only while the budget allows.
 * <p>
 * <b>Reads outside the lock.</b> A shared get {@linkplain #pin pins} the value it found under the bucket lock and
 * loads it after releasing the lock; {@link #free} hands a pinned value's free over to its reader (see
 * {@link ReadPins}), so no page's memory is freed, reused or moved away while a get still decompresses it.
 * <p>
 * Thread-safe as the allocator is; a value is stored, loaded and freed by whoever holds it in a pool's index (or
 * pinned it).
 */
final class StoredPages
{
    private static final int CHECKSUM_BYTES = Integer.BYTES;
    private static final ValueLayout.OfInt STORED_INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong STORED_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfByte HEADER = ValueLayout.JAVA_BYTE;

    private final ObjectAllocator allocator;
    /** Null in engines with one codec: pages then have no header. */
    private final PageCodecs codecs;
    private final int headerBytes;
    private final ScratchBuffers headerScratch;
    private final boolean checksum;
    private final int checksumBytes;
    private final int largestObject;
    private final ZcacheEvents events;
    private final Room room;
    /** Where a get finds its object, one per compressor slot: the held slot makes it the holder's alone. */
    private final ObjectLocation[] locations;
    private final ReadPins pins;

    /** Makes no room: for raw pages, which are stored only while the budget allows. */
    private static final Room NO_ROOM = pool -> false;

    /**
     * What to do when the allocator answers {@link ObjectAllocator#NO_MEMORY}.
     */
    @FunctionalInterface
    interface Room
    {
        /**
         * @param pool the pool a page is being stored in.
         * @return whether room was made (an allocation may be retried), else the store fails.
         */
        boolean make(ZcachePool pool);
    }

    StoredPages(final ObjectAllocator allocator, final PageCodecs codecs, final boolean checksum,
        final ZcacheEvents events, final Room room, final int slots)
    {
        this.pins = new ReadPins(slots);
        this.locations = new ObjectLocation[slots];
        for (int i = 0; i < slots; i++)
        {
            locations[i] = new ObjectLocation();
        }
        this.allocator = allocator;
        this.codecs = codecs;
        this.headerBytes = codecs == null ? 0 : PageHeader.BYTES;
        this.headerScratch = codecs == null ? null : new ScratchBuffers(slots, allocator.maxStoredSize());
        this.checksum = checksum;
        this.checksumBytes = checksum ? CHECKSUM_BYTES : 0;
        this.largestObject = allocator.maxStoredSize();
        this.events = events;
        this.room = room;
    }

    /**
     * Copies the compressed page (and its checksum) out of the slot into allocator memory and counts its bytes.
     *
     * @param compressed the compressed length in {@code slot.output()}.
     * @param page       the page as it was compressed, for the checksum.
     * @return the page's value, or {@link ObjectAllocator#NO_MEMORY}.
     */
    long store(final ZcachePool pool, final CompressorSlot slot, final int compressed, final MemorySegment page)
    {
        return store(pool, slot, compressed, page, room);
    }

    /**
     * Copies a recompressed page (header, block, then its checksum) out of the slot into allocator memory, if that
     * fits the budget without evicting anything: recompression saves memory, it never takes a page's room.
     *
     * @param length the stored length in {@code slot.output()}, header included.
     * @param page   the page, for the checksum.
     * @return the page's value, or {@link ObjectAllocator#NO_MEMORY}.
     */
    long storeIfRoom(final ZcachePool pool, final CompressorSlot slot, final int length, final MemorySegment page)
    {
        return store(pool, slot, length, page, NO_ROOM);
    }

    /**
     * @return the bytes a stored value holds without its checksum, span directory included.
     */
    long payloadBytes(final long value)
    {
        return storedBytes(value) - checksumBytes;
    }

    /**
     * Marks a stored page as checked by the recompression agent, rewriting its header in place; the caller holds the
     * page's bucket lock and has seen the value still in the index, so nothing reads, writes or frees it meanwhile.
     *
     * @param value  a stored value in one object, not same-filled.
     * @param buffer at least the object's size.
     */
    void markChecked(final long value, final MemorySegment buffer)
    {
        allocator.read(value, buffer, 0);
        buffer.set(ValueLayout.JAVA_BYTE, 0, PageHeader.checked(buffer.get(ValueLayout.JAVA_BYTE, 0)));
        allocator.write(value, buffer, 0);
    }

    /**
     * Copies the page itself into allocator memory, if that fits the budget without evicting anything.
     *
     * @param page the page, native.
     * @return the page's value, or {@link ObjectAllocator#NO_MEMORY}.
     */
    long storeRaw(final ZcachePool pool, final CompressorSlot slot, final MemorySegment page)
    {
        if (headerBytes != 0)
        {
            slot.output().set(ValueLayout.JAVA_BYTE, 0, PageHeader.of(PageHeader.BASE, codecs.putEpoch()));
        }
        MemorySegment.copy(page, 0, slot.output(), headerBytes, pool.pageSize);
        return store(pool, slot, headerBytes + pool.pageSize, page, NO_ROOM);
    }

    private long store(final ZcachePool pool, final CompressorSlot slot, final int payload, final MemorySegment page,
        final Room room)
    {
        final MemorySegment output = slot.output();
        if (checksum)
        {
            output.set(STORED_INT, payload, PageChecksum.of(page, 0, pool.pageSize));
        }
        final int length = payload + checksumBytes;
        final long value;
        if (length <= largestObject)
        {
            value = allocate(pool, length, room);
            if (value > 0)
            {
                allocator.write(value, output, 0);
            }
        }
        else
        {
            value = storeSpanned(pool, output, length, slot.scratch(), room);
        }
        if (value > 0)
        {
            count(pool, PageValue.isSpanned(value) ? storedBytes(value) : length, payload - headerBytes == pool.pageSize);
        }
        return value;
    }

    /**
     * Decompresses a stored page into {@code dst}, verifying the page against its checksum when checksums are on;
     * a same-filled value is filled in.
     *
     * @throws CorruptDataException if the checksum or the compressed form is wrong; {@code dst} is then untouched
     *                              when checksums are on.
     */
    void load(final long value, final CompressorSlot slot, final MemorySegment dst, final int pageSize)
    {
        read(value, slot, dst, pageSize, false);
    }

    /**
     * Copies a stored page into {@code dst} as the engine's own codec compressed it, for a reader that decompresses
     * it itself; a page stored in any other form (same-filled, raw, with a dictionary or the recompression agent's
     * codec where the engine's own cannot read it, or under a checksum, which only the page itself can be checked
     * against) is {@linkplain #load loaded} instead.
     *
     * @param dst at least {@code pageSize} bytes, writable.
     * @return the compressed length at the start of {@code dst} (less than {@code pageSize}), or {@code pageSize}
     *         when {@code dst} holds the page itself.
     * @throws CorruptDataException as {@link #load} does.
     */
    int loadCompressed(final long value, final CompressorSlot slot, final MemorySegment dst, final int pageSize)
    {
        return read(value, slot, dst, pageSize, !checksum);
    }

    private int read(final long value, final CompressorSlot slot, final MemorySegment dst, final int pageSize,
        final boolean compressedForm)
    {
        if (PageValue.isSameFilled(value))
        {
            SameFilledPage.fill(dst, 0, pageSize, PageValue.word(value));
            return pageSize;
        }
        final ObjectLocation where = locations[slot.index()];
        if (PageValue.isSpanned(value))
        {
            final int length = gather(PageValue.handle(value), slot.output(), slot.scratch());
            where.set(slot.scratch(), 0, length);
        }
        else
        {
            // in place, without a slice per get: the object's pool page and its offset there (or the scratch copy)
            allocator.locate(value, slot.scratch(), where);
        }
        // a view copied into scratch is read through scratch itself: a codec wrapping segments for a library
        // (zstd-jni) keeps one wrapper per segment it sees, and a fresh slice per get would cost a new one each time
        final MemorySegment compressed =
            where.segment().address() == slot.scratch().address() ? slot.scratch() : where.segment();
        final long at = where.offset();
        final int payload = where.length() - checksumBytes;
        // a checked page is decompressed aside, so a mismatch leaves dst untouched
        final MemorySegment target = dst.isNative() && !checksum ? dst : slot.output();
        final int stored;
        try
        {
            if (payload - headerBytes == pageSize)
            {
                MemorySegment.copy(compressed, at + headerBytes, target, 0, pageSize);
            }
            else if (compressedForm && (codecs == null || codecs.isBaseForm(compressed.get(HEADER, at))))
            {
                final int length = payload - headerBytes;
                MemorySegment.copy(compressed, at + headerBytes, dst, 0, length);
                return length;
            }
            else if (codecs == null)
            {
                slot.codec().decompress(compressed, at, payload, target, 0, pageSize);
            }
            else
            {
                codecs.decompress(compressed, at, payload, slot, target, pageSize);
            }
            stored = checksum ? compressed.get(STORED_INT, at + payload) : 0;
        }
        finally
        {
            // the stored bytes are read: an allocator that pinned them in place may move them again
            allocator.unpin(where);
        }
        if (checksum)
        {
            final int actual = PageChecksum.of(target, 0, pageSize);
            if (stored != actual)
            {
                throw new CorruptDataException(String.format(
                    "checksum mismatch over the %d-byte page: stored %08x, computed %08x", pageSize, stored, actual));
            }
        }
        if (target != dst)
        {
            MemorySegment.copy(target, 0, dst, 0, pageSize);
        }
        return pageSize;
    }

    /**
     * Pins a value for a get that loads it after releasing the bucket lock; called under that lock.
     *
     * @param slot  the index of the compressor slot the get holds.
     * @param value the value found.
     */
    void pin(final int slot, final long value)
    {
        pins.pin(slot, value);
    }

    /**
     * {@return the value the get holding a compressor slot found under the lock}
     *
     * @param slot the index of the compressor slot the get holds.
     */
    long found(final int slot)
    {
        return pins.found(slot);
    }

    /**
     * Ends the read of a value found by {@link #pin}, freeing it if it was taken out of its pool meanwhile.
     *
     * @param pool  the pool the value was read from.
     * @param slot  the index of the compressor slot the get holds.
     * @param value the value found (a same-filled one was not pinned).
     */
    void unpin(final ZcachePool pool, final int slot, final long value)
    {
        if (!PageValue.isSameFilled(value) && !pins.unpin(slot, value))
        {
            free(pool, value);
        }
    }

    /**
     * Frees a value taken out of a pool, with its accounting, or hands the free over to a get still loading it.
     */
    void free(final ZcachePool pool, final long value)
    {
        if (PageValue.isSameFilled(value))
        {
            pool.sameFilledPages.decrement();
            return;
        }
        // only pools with shared gets pin: the others skip looking
        if (!pool.exclusiveGets && pins.handOver(value))
        {
            return;
        }
        if (codecs != null)
        {
            codecs.release(header(value));
        }
        final long handle = PageValue.handle(value);
        final long bytes;
        final long payload;
        if (PageValue.isSpanned(value))
        {
            long parts = 0;
            for (final long part : directory(handle))
            {
                parts += allocator.sizeAndFree(part);
            }
            payload = parts;
            bytes = parts + allocator.sizeAndFree(handle);
        }
        else
        {
            // one look at the object: with more threads than CPUs, a second lock taken is a second chance to queue
            // behind a holder that lost its CPU
            bytes = allocator.sizeAndFree(handle);
            payload = bytes;
        }
        count(pool, -bytes, payload - checksumBytes - headerBytes == pool.pageSize);
    }

    /**
     * @param value a stored value, not same-filled, of an engine whose pages have headers.
     * @return its header byte.
     */
    byte header(final long value)
    {
        final long handle = PageValue.handle(value);
        final long first = PageValue.isSpanned(value) ? directory(handle)[0] : handle;
        final MemorySegment scratch = headerScratch.take();
        try
        {
            return allocator.view(first, scratch).get(ValueLayout.JAVA_BYTE, 0);
        }
        finally
        {
            headerScratch.give(scratch);
        }
    }

    /**
     * Frees the buffers of header reads; the engine is closed and its pages freed.
     */
    void close()
    {
        if (headerScratch != null)
        {
            headerScratch.close();
        }
    }

    /**
     * Counts a pool's stored bytes; raw pages stay out of the persistent mean that admission compares
     * compressed sizes with.
     */
    private void count(final ZcachePool pool, final long bytes, final boolean raw)
    {
        // three counters, one look at the CPU
        final int cpu = CpuCounters.cpu();
        pool.compressedBytes.add(cpu, bytes);
        if (pool.persistent && !raw)
        {
            events.persistentCompressedBytes.add(cpu, bytes);
            events.persistentCompressedPages.add(cpu, Long.signum(bytes));
        }
    }

    private long storeSpanned(final ZcachePool pool, final MemorySegment output, final int length,
        final MemorySegment directory, final Room room)
    {
        final int parts = (length + largestObject - 1) / largestObject;
        final long dir = allocate(pool, parts * Long.BYTES, room);
        if (dir < 0)
        {
            return dir;
        }
        for (int i = 0; i < parts; i++)
        {
            final int offset = i * largestObject;
            final long part = allocate(pool, Math.min(largestObject, length - offset), room);
            if (part < 0)
            {
                for (int j = 0; j < i; j++)
                {
                    allocator.free(directory.get(STORED_LONG, (long)j * Long.BYTES));
                }
                allocator.free(dir);
                return part;
            }
            allocator.write(part, output, offset);
            directory.set(STORED_LONG, (long)i * Long.BYTES, part);
        }
        allocator.write(dir, directory, 0);
        return dir | PageValue.SPAN;
    }

    /**
     * Allocates, asking for {@link Room} while the allocator has none.
     *
     * @return a handle, or {@link ObjectAllocator#NO_MEMORY}.
     */
    private long allocate(final ZcachePool pool, final int size, final Room room)
    {
        while (true)
        {
            final long handle = allocator.allocate(size);
            if (handle > 0)
            {
                if (handle >= PageValue.SPAN)
                {
                    allocator.free(handle);
                    throw new IllegalStateException("allocator " + allocator.name() + " returned handle " + handle +
                        "; zcache needs handles below 2^62");
                }
                return handle;
            }
            if (handle != ObjectAllocator.NO_MEMORY)
            {
                throw new IllegalStateException("allocator " + allocator.name() + " refused " + size +
                    " bytes although its largest object is " + largestObject);
            }
            if (!room.make(pool))
            {
                return ObjectAllocator.NO_MEMORY;
            }
        }
    }

    /**
     * Reads a spanned page's parts, in order, into {@code into}; the directory passes through {@code directory}.
     *
     * @return the total length.
     */
    private int gather(final long dir, final MemorySegment directory, final MemorySegment into)
    {
        final int parts = allocator.size(dir) / Long.BYTES;
        allocator.read(dir, directory, 0);
        int length = 0;
        for (int i = 0; i < parts; i++)
        {
            final long part = directory.get(STORED_LONG, (long)i * Long.BYTES);
            allocator.read(part, into, length);
            length += allocator.size(part);
        }
        return length;
    }

    /**
     * @param value a stored value, not same-filled.
     * @return a heap copy of its compressed bytes (a raw page's own bytes) without the checksum: what a lower tier
     * receives.
     */
    MemorySegment compressedCopy(final long value)
    {
        final long handle = PageValue.handle(value);
        final MemorySegment copy = MemorySegment.ofArray(new byte[(int)storedBytes(value)]);
        final int length;
        if (PageValue.isSpanned(value))
        {
            length = gather(handle, MemorySegment.ofArray(new byte[allocator.size(handle)]), copy);
        }
        else
        {
            allocator.read(handle, copy, 0);
            length = allocator.size(handle);
        }
        return copy.asSlice(0, length - checksumBytes);
    }

    /**
     * @return bytes of allocator objects a stored value holds.
     */
    private long storedBytes(final long value)
    {
        final long handle = PageValue.handle(value);
        long bytes = allocator.size(handle);
        if (PageValue.isSpanned(value))
        {
            for (final long part : directory(handle))
            {
                bytes += allocator.size(part);
            }
        }
        return bytes;
    }

    /**
     * @return the part handles a span directory lists (large pages only, off the hot path of 4 KiB pages).
     */
    private long[] directory(final long dir)
    {
        final long[] parts = new long[allocator.size(dir) / Long.BYTES];
        allocator.read(dir, MemorySegment.ofArray(parts), 0);
        return parts;
    }
}
