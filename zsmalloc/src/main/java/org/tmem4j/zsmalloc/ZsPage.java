package org.tmem4j.zsmalloc;

import java.util.Arrays;

/**
 * One zspage: {@code k} pages' worth of bytes laid end to end as a logical run, cut into {@code n} slots of one
 * class's size. Slot {@code i} covers bytes {@code [i·size, (i+1)·size)} of the run, so a slot may straddle two or
 * more chunks.
 * <p>
 * The run is made of chunks from the {@link ChunkPool} (a quarter page by default), which need not be contiguous
 * nor in the same pages, and a chunk is held only while a live slot touches it: each chunk counts the live slots
 * that touch it, is taken when the first one is allocated and given back when the last one is freed. A zspage that
 * is filling therefore holds only the chunks it has reached, and holes left by frees return whole chunks without
 * waiting for compaction.
 * <p>
 * Free slots are a bitmap, and allocation takes the lowest free slot, so live objects gather at the front and the
 * tail chunks stay free. Each slot remembers the handle-table index of its object, which is how compaction finds
 * the entry to rewrite when it moves the object.
 * <p>
 * Not thread-safe: guarded by the owning {@link SizeClass}'s lock.
 */
final class ZsPage
{
    static final int FREE_SLOT = -1;

    final int id;
    final SizeClass sizeClass;
    final int[] chunks;
    private final int[] slotsOnChunk;
    private final int[] owner;
    private final long[] freeSlots;
    private final int slotSize;
    private final int chunkShift;
    int inUse;
    int group;
    ZsPage prev;
    ZsPage next;

    ZsPage(final SizeClass sizeClass, final int id, final int chunkCount, final int chunkShift)
    {
        this.sizeClass = sizeClass;
        this.id = id;
        this.slotSize = sizeClass.slotSize;
        this.chunkShift = chunkShift;
        final int objects = sizeClass.objectsPerZspage;
        chunks = new int[chunkCount];
        Arrays.fill(chunks, ChunkPool.NO_CHUNK);
        slotsOnChunk = new int[chunkCount];
        owner = new int[objects];
        Arrays.fill(owner, FREE_SLOT);
        freeSlots = new long[(objects + 63) >>> 6];
        Arrays.fill(freeSlots, -1L);
        if ((objects & 63) != 0)
        {
            freeSlots[freeSlots.length - 1] = (1L << (objects & 63)) - 1;
        }
    }

    /**
     * @return the lowest free slot, or -1 when full.
     */
    int lowestFreeSlot()
    {
        for (int w = 0; w < freeSlots.length; w++)
        {
            if (freeSlots[w] != 0)
            {
                return (w << 6) + Long.numberOfTrailingZeros(freeSlots[w]);
            }
        }
        return -1;
    }

    /**
     * @return the lowest free slot below {@code limit} whose chunks are all present (a destination that needs no new
     * chunk), or -1.
     */
    int lowestFreeSlotOnPresentChunks(final int limit)
    {
        final int end = Math.min(limit, owner.length);
        for (int slot = lowestFreeSlot(); slot >= 0 && slot < end; slot++)
        {
            if ((freeSlots[slot >>> 6] & 1L << slot) != 0 && chunksPresent(slot))
            {
                return slot;
            }
        }
        return -1;
    }

    private boolean chunksPresent(final int slot)
    {
        for (int c = firstChunk(slot), last = lastChunk(slot); c <= last; c++)
        {
            if (chunks[c] == ChunkPool.NO_CHUNK)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the highest live slot, or -1 when empty.
     */
    int highestLiveSlot()
    {
        for (int w = freeSlots.length - 1; w >= 0; w--)
        {
            final long liveBits = ~freeSlots[w] & validBits(w);
            if (liveBits != 0)
            {
                return (w << 6) + 63 - Long.numberOfLeadingZeros(liveBits);
            }
        }
        return -1;
    }

    private long validBits(final int word)
    {
        final int objects = owner.length;
        return word == freeSlots.length - 1 && (objects & 63) != 0 ? (1L << (objects & 63)) - 1 : -1L;
    }

    /**
     * Takes a free slot for the object with handle-table index {@code handleIndex}, taking the chunks it touches
     * that are not yet present.
     *
     * @return how many chunks were taken, or -1 if the pool had none (nothing changed then).
     */
    int take(final int slot, final int handleIndex, final ChunkPool pool)
    {
        final int first = firstChunk(slot);
        final int last = lastChunk(slot);
        int taken = 0;
        int takenMask = 0;
        for (int c = first; c <= last; c++)
        {
            if (chunks[c] == ChunkPool.NO_CHUNK)
            {
                final int chunk = pool.acquire(this, c);
                if (chunk == ChunkPool.NO_CHUNK)
                {
                    for (int d = first; d < c; d++)
                    {
                        if ((takenMask & 1 << (d - first)) != 0)
                        {
                            pool.release(chunks[d]);
                            chunks[d] = ChunkPool.NO_CHUNK;
                        }
                    }
                    return -1;
                }
                chunks[c] = chunk;
                taken++;
                takenMask |= 1 << (c - first);
            }
        }
        for (int c = first; c <= last; c++)
        {
            slotsOnChunk[c]++;
        }
        freeSlots[slot >>> 6] &= ~(1L << slot);
        owner[slot] = handleIndex;
        inUse++;
        return taken;
    }

    /**
     * Frees a live slot, giving back the chunks no live slot touches any more, except those the next allocation here
     * (the new lowest free slot) will touch: an allocate-free-allocate cycle at the fill front would otherwise take
     * and give back the same chunk every time. Such kept chunks are given back when the zspage empties or by
     * {@link #releaseIdleChunks}.
     *
     * @return how many chunks were given back.
     */
    int release(final int slot, final ChunkPool pool)
    {
        freeSlots[slot >>> 6] |= 1L << slot;
        owner[slot] = FREE_SLOT;
        inUse--;
        if (inUse == 0)
        {
            for (int c = firstChunk(slot), last = lastChunk(slot); c <= last; c++)
            {
                slotsOnChunk[c]--;
            }
            return releaseIdleChunks(pool);
        }
        int given = 0;
        final int next = lowestFreeSlot();
        final int keepFrom = firstChunk(next);
        final int keepTo = lastChunk(next);
        for (int c = firstChunk(slot), last = lastChunk(slot); c <= last; c++)
        {
            if (--slotsOnChunk[c] == 0 && (c < keepFrom || c > keepTo))
            {
                pool.release(chunks[c]);
                chunks[c] = ChunkPool.NO_CHUNK;
                given++;
            }
        }
        return given;
    }

    /**
     * Gives back every chunk held that no live slot touches.
     *
     * @return how many chunks were given back.
     */
    int releaseIdleChunks(final ChunkPool pool)
    {
        int given = 0;
        for (int c = 0; c < chunks.length; c++)
        {
            if (slotsOnChunk[c] == 0 && chunks[c] != ChunkPool.NO_CHUNK)
            {
                pool.release(chunks[c]);
                chunks[c] = ChunkPool.NO_CHUNK;
                given++;
            }
        }
        return given;
    }

    /**
     * @return the handle-table index of the object in a slot, or {@link #FREE_SLOT}.
     */
    int owner(final int slot)
    {
        return owner[slot];
    }

    /**
     * @return whether every slot is taken.
     */
    boolean isFull()
    {
        return inUse == owner.length;
    }

    /**
     * @return the number of slots.
     */
    int objects()
    {
        return owner.length;
    }

    /**
     * @return byte offset of a slot in the zspage's logical run.
     */
    long slotOffset(final int slot)
    {
        return (long)slot * slotSize;
    }

    private int firstChunk(final int slot)
    {
        return (int)(slotOffset(slot) >>> chunkShift);
    }

    private int lastChunk(final int slot)
    {
        return (int)((slotOffset(slot) + slotSize - 1) >>> chunkShift);
    }
}
