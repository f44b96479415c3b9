package org.tmem4j.zsmalloc;

import java.util.Arrays;

/**
 * The indirection between a handle and where its object is: one {@code long} entry per handle, in chunks on the
 * heap, so compaction moves an object by rewriting one entry while the handle the owner holds stays the same.
 * <p>
 * An entry packs, from the low bits: the slot in the zspage (12 bits), the zspage's id in its class (25 bits), the
 * object's size (13 bits; 0 marks a free entry) and the entry's generation (13 bits). The generation goes up each
 * time the entry is freed, so a stale handle to a reused entry no longer matches and is rejected. A free entry keeps
 * its generation and, in its low bits, the index of the next free entry plus one (0 ends the list): the free list
 * costs nothing beyond the entries, which are all the per-object metadata there is (8 bytes).
 * <p>
 * Entries live in chunks that grow with the table: 16, 16, 32, 64 and 128 entries, then 256 at a time. A size class
 * (or class shard) in use thus holds at most twice its live entries and never more than 255 spare ones; with chunks
 * of 256 from the start, each of the 200-odd classes a pool of database pages uses held 2 KiB, three times its
 * entries' own 8 bytes per object.
 * <p>
 * Not thread-safe: each {@link SizeClass} owns one table and guards it with its lock. Readers that look entries up
 * optimistically may see a chunk array that is being replaced; they validate their read afterwards.
 */
final class HandleTable
{
    static final int INDEX_BITS = 26;
    static final int MAX_ENTRIES = 1 << INDEX_BITS;
    static final int GENERATION_BITS = 13;
    static final int GENERATION_MASK = (1 << GENERATION_BITS) - 1;

    private static final int SLOT_BITS = 12;
    private static final int ZSPAGE_BITS = 25;
    private static final int SIZE_SHIFT = SLOT_BITS + ZSPAGE_BITS;
    private static final int SIZE_BITS = 13;
    private static final int GENERATION_SHIFT = SIZE_SHIFT + SIZE_BITS;
    private static final int CHUNK_SHIFT = 8;
    private static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SIZE - 1;
    /** Entries of the first chunk (and of the second). */
    private static final int FIRST_CHUNK_SIZE = 16;
    /** Chunks before the first full-size one: 16, 16, 32, 64 and 128 entries, together {@link #CHUNK_SIZE}. */
    private static final int SMALL_CHUNKS = 5;

    static final int MAX_ZSPAGES = 1 << ZSPAGE_BITS;

    private static final long NEXT_FREE_MASK = (1L << INDEX_BITS + 1) - 1;

    private long[][] chunks = new long[0][];
    private int used;
    /** Index of the first free entry plus one; 0 when no entry below {@link #used} is free. */
    private int firstFree;
    private int live;

    /**
     * Takes an entry for a new object.
     *
     * @return the entry's index, or -1 when the table is full.
     */
    int allocate(final int zspage, final int slot, final int size)
    {
        final int index;
        if (firstFree > 0)
        {
            index = firstFree - 1;
            firstFree = (int)(chunks[chunkOf(index)][offsetOf(index)] & NEXT_FREE_MASK);
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
                chunks[chunk] = new long[chunkLength(chunk)];
            }
        }
        final long[] entries = chunks[chunkOf(index)];
        final int offset = offsetOf(index);
        int generation = generation(entries[offset]);
        if (generation == 0)
        {
            generation = 1;
        }
        entries[offset] = entry(generation, size, zspage, slot);
        live++;
        return index;
    }

    /**
     * Frees an entry; its generation moves on so that handles to it go stale.
     */
    void free(final int index)
    {
        final long[] entries = chunks[chunkOf(index)];
        final int offset = offsetOf(index);
        final int next = generation(entries[offset]) % GENERATION_MASK + 1;
        entries[offset] = (long)next << GENERATION_SHIFT | firstFree;
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
        final long[][] all = chunks;
        return all[chunkOf(index)][offsetOf(index)];
    }

    /**
     * Points a live entry at a new place, as compaction moves its object.
     */
    void move(final int index, final int zspage, final int slot)
    {
        final long[] entries = chunks[chunkOf(index)];
        final int offset = offsetOf(index);
        final long old = entries[offset];
        entries[offset] = entry(generation(old), size(old), zspage, slot);
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
        for (final long[] chunk : chunks)
        {
            bytes += chunk == null ? 0 : (long)chunk.length * Long.BYTES;
        }
        return bytes;
    }

    /**
     * Forgets every entry (the class is being closed).
     */
    void clear()
    {
        chunks = new long[0][];
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
            final long entry = chunks[chunkOf(index)][offsetOf(index)];
            if (size(entry) != 0)
            {
                owners[zspage(entry) * objectsPerZspage + slot(entry)] = index;
            }
        }
        return owners;
    }

    /** {@return the chunk holding an entry: 0 for entries 0-15, 1 for 16-31, ... 4 for 128-255, then one per 256} */
    private static int chunkOf(final int index)
    {
        return index >= CHUNK_SIZE ? SMALL_CHUNKS - 1 + (index >>> CHUNK_SHIFT) :
            Math.max(0, 28 - Integer.numberOfLeadingZeros(index));
    }

    /** {@return an entry's place in its chunk} */
    private static int offsetOf(final int index)
    {
        if (index >= CHUNK_SIZE)
        {
            return index & CHUNK_MASK;
        }
        return index < FIRST_CHUNK_SIZE ? index : index - Integer.highestOneBit(index);
    }

    /** {@return the entries of a chunk} */
    private static int chunkLength(final int chunk)
    {
        return chunk == 0 ? FIRST_CHUNK_SIZE : chunk < SMALL_CHUNKS ? FIRST_CHUNK_SIZE << (chunk - 1) : CHUNK_SIZE;
    }

    static long entry(final int generation, final int size, final int zspage, final int slot)
    {
        return (long)generation << GENERATION_SHIFT | (long)size << SIZE_SHIFT | (long)zspage << SLOT_BITS | slot;
    }

    static int slot(final long entry)
    {
        return (int)entry & ((1 << SLOT_BITS) - 1);
    }

    static int zspage(final long entry)
    {
        return (int)(entry >>> SLOT_BITS) & (MAX_ZSPAGES - 1);
    }

    static int size(final long entry)
    {
        return (int)(entry >>> SIZE_SHIFT) & ((1 << SIZE_BITS) - 1);
    }

    static int generation(final long entry)
    {
        return (int)(entry >>> GENERATION_SHIFT) & GENERATION_MASK;
    }
}
