package org.tmem4j.zsmalloc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The indirection between a handle and where its object is: one 6-byte entry per handle, in chunks on the heap, so
 * compaction moves an object by rewriting one entry while the handle the owner holds stays the same.
 * <p>
 * A live entry packs, from the low bits: the object's <i>place</i> in its class (27 bits: the zspage id above the
 * slot, whose bits are as many as the class's slots per zspage need), its size minus one (12 bits), a live bit and
 * the entry's generation (8 bits). The generation goes up each time the entry is freed, so a stale handle to a
 * reused entry no longer matches and is rejected. A free entry keeps its generation and, in its low bits, the index
 * of the next free entry plus one (0 ends the list): the free list costs nothing beyond the entries, which are all the
 * per-object metadata there is.
 * <p>
 * <b>Why 6 bytes.</b> Issue 14 asked for the handle table and the back-pointers in 8 bytes per object. The entry was
 * 8 bytes, and the unused end of each class shard's last chunk added 2 more on a pool of database pages (measured
 * 10.0 B per object on pgbench); at 6 bytes the table, slack included, stays under 8. The price is a bound on the
 * places of one class shard (2^27 slots, at least 2 GiB of objects) and generations that repeat after 255 reuses of
 * one entry instead of 8191.
 * <p>
 * Entries live in chunks that grow with the table: 16 entries at a time up to 256, then 256 at a time. A size class
 * (or class shard) in use below 256 objects thus holds at most 15 spare entries, and never more than 255; with
 * chunks of 256 from the start, each of the 200-odd classes a pool of database pages uses held 2 KiB, three times
 * its entries' own bytes per object, and with chunks doubling from 16 up to 256 the spare half of the last chunk cost
 * 1.5 to 4 bytes per object on the corpora of the density test.
 * <p>
 * Not thread-safe: each {@link SizeClass} owns one table and guards it with its lock. Readers that look entries up
 * optimistically may see a chunk array that is being replaced, or half of an entry being written; they validate
 * their read afterwards.
 */
final class HandleTable
{
    static final int INDEX_BITS = 26;
    static final int MAX_ENTRIES = 1 << INDEX_BITS;
    static final int GENERATION_BITS = 8;
    static final int GENERATION_MASK = (1 << GENERATION_BITS) - 1;
    /** Most zspage ids any class may use (the chunk pool's owner words have room for this many). */
    static final int MAX_ZSPAGES = 1 << 25;

    private static final int ENTRY_BYTES = 6;
    private static final int PLACE_BITS = 27;
    private static final long PLACE_MASK = (1L << PLACE_BITS) - 1;
    private static final int SIZE_SHIFT = PLACE_BITS;
    private static final int SIZE_BITS = 12;
    private static final int LIVE_SHIFT = SIZE_SHIFT + SIZE_BITS;
    private static final int GENERATION_SHIFT = LIVE_SHIFT + 1;
    private static final int CHUNK_SHIFT = 8;
    private static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SIZE - 1;
    private static final int SMALL_CHUNK_SHIFT = 4;
    /** Entries of each of the first chunks. */
    private static final int SMALL_CHUNK_SIZE = 1 << SMALL_CHUNK_SHIFT;
    /** Chunks before the first full-size one: 16 of 16 entries, together {@link #CHUNK_SIZE}. */
    private static final int SMALL_CHUNKS = CHUNK_SIZE / SMALL_CHUNK_SIZE;

    private static final long NEXT_FREE_MASK = (1L << INDEX_BITS + 1) - 1;
    private static final VarHandle LOW = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle HIGH =
        MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    /** Bits of the slot in a place: enough for the class's slots per zspage. */
    private final int slotBits;
    private final int maxZspages;
    private byte[][] chunks = new byte[0][];
    private int used;
    /** Index of the first free entry plus one; 0 when no entry below {@link #used} is free. */
    private int firstFree;
    private int live;

    /**
     * @param objectsPerZspage slots per zspage of the class.
     */
    HandleTable(final int objectsPerZspage)
    {
        slotBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, objectsPerZspage - 1));
        maxZspages = (int)Math.min(MAX_ZSPAGES, 1L << (PLACE_BITS - slotBits));
    }

    /**
     * {@return how many zspage ids the places of this table can name}
     */
    int maxZspages()
    {
        return maxZspages;
    }

    /**
     * Takes an entry for a new object.
     *
     * @param zspage a zspage id below {@link #maxZspages()}.
     * @return the entry's index, or -1 when the table is full.
     */
    int allocate(final int zspage, final int slot, final int size)
    {
        final int index;
        if (firstFree > 0)
        {
            index = firstFree - 1;
            firstFree = (int)(read(index) & NEXT_FREE_MASK);
        }
        else
        {
            if (used == MAX_ENTRIES)
            {
                return -1;
            }
            index = used++;
            final int chunk = chunkOf(index);
            if (chunk == chunks.length)
            {
                chunks = Arrays.copyOf(chunks, Math.max(1, chunks.length * 2));
            }
            if (chunks[chunk] == null)
            {
                chunks[chunk] = new byte[chunkLength(chunk) * ENTRY_BYTES];
            }
        }
        int generation = generation(read(index));
        if (generation == 0)
        {
            generation = 1;
        }
        write(index, entry(generation, size, zspage, slot));
        live++;
        return index;
    }

    /**
     * Frees an entry; its generation moves on so that handles to it go stale.
     */
    void free(final int index)
    {
        final int next = generation(read(index)) % GENERATION_MASK + 1;
        write(index, (long)next << GENERATION_SHIFT | firstFree);
        firstFree = index + 1;
        live--;
    }

    /**
     * @return the entry at {@code index}, or 0 when the index was never handed out.
     */
    long get(final int index)
    {
        if (index >= used)
        {
            return 0;
        }
        return read(index);
    }

    /**
     * Points a live entry at a new place, as compaction moves its object.
     */
    void move(final int index, final int zspage, final int slot)
    {
        final long old = read(index);
        write(index, entry(generation(old), size(old), zspage, slot));
    }

    /**
     * @return live entries.
     */
    int live()
    {
        return live;
    }

    /**
     * @return heap bytes held by the table's entries and free list.
     */
    long footprintBytes()
    {
        long bytes = (long)chunks.length * Long.BYTES;
        for (final byte[] chunk : chunks)
        {
            bytes += chunk == null ? 0 : chunk.length;
        }
        return bytes;
    }

    /**
     * Forgets every entry (the class is being closed).
     */
    void clear()
    {
        chunks = new byte[0][];
        used = 0;
        firstFree = 0;
        live = 0;
    }

    /**
     * @param objectsPerZspage slots per zspage of the class.
     * @param zspageIds        zspage ids in use or ever used (all entries point below it).
     * @return the index of the entry of each live object at {@code zspage × objectsPerZspage + slot}; other places
     * hold 0.
     */
    int[] owners(final int objectsPerZspage, final int zspageIds)
    {
        final int[] owners = new int[Math.max(1, zspageIds * objectsPerZspage)];
        for (int index = 0; index < used; index++)
        {
            final long entry = read(index);
            if (size(entry) != 0)
            {
                owners[zspage(entry) * objectsPerZspage + slot(entry)] = index;
            }
        }
        return owners;
    }

    /**
     * {@return the slot a live entry names in its zspage}
     */
    int slot(final long entry)
    {
        return (int)entry & ((1 << slotBits) - 1);
    }

    /**
     * {@return the id of the zspage a live entry names}
     */
    int zspage(final long entry)
    {
        return (int)((entry & PLACE_MASK) >>> slotBits);
    }

    /**
     * {@return the object's size, or 0 for a free entry}
     */
    static int size(final long entry)
    {
        return (entry >>> LIVE_SHIFT & 1) == 0 ? 0 : (int)(entry >>> SIZE_SHIFT & (1 << SIZE_BITS) - 1) + 1;
    }

    static int generation(final long entry)
    {
        return (int)(entry >>> GENERATION_SHIFT) & GENERATION_MASK;
    }

    private long entry(final int generation, final int size, final int zspage, final int slot)
    {
        return (long)generation << GENERATION_SHIFT | 1L << LIVE_SHIFT | (long)(size - 1) << SIZE_SHIFT |
            (long)zspage << slotBits | slot;
    }

    private long read(final int index)
    {
        final byte[] chunk = chunks[chunkOf(index)];
        final int at = offsetOf(index) * ENTRY_BYTES;
        return (int)LOW.get(chunk, at) & 0xFFFF_FFFFL | ((short)HIGH.get(chunk, at + Integer.BYTES) & 0xFFFFL) << 32;
    }

    private void write(final int index, final long entry)
    {
        final byte[] chunk = chunks[chunkOf(index)];
        final int at = offsetOf(index) * ENTRY_BYTES;
        LOW.set(chunk, at, (int)entry);
        HIGH.set(chunk, at + Integer.BYTES, (short)(entry >>> 32));
    }

    /** {@return the chunk holding an entry: one per 16 for the first 256 entries, then one per 256} */
    private static int chunkOf(final int index)
    {
        return index >= CHUNK_SIZE ? SMALL_CHUNKS - 1 + (index >>> CHUNK_SHIFT) : index >>> SMALL_CHUNK_SHIFT;
    }

    /** {@return an entry's place in its chunk} */
    private static int offsetOf(final int index)
    {
        return index & (index >= CHUNK_SIZE ? CHUNK_MASK : SMALL_CHUNK_SIZE - 1);
    }

    /** {@return the entries of a chunk} */
    private static int chunkLength(final int chunk)
    {
        return chunk < SMALL_CHUNKS ? SMALL_CHUNK_SIZE : CHUNK_SIZE;
    }
}
