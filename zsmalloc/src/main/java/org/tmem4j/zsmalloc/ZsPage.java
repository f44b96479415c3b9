package org.tmem4j.zsmalloc;

import java.util.Arrays;

import org.tmem4j.memory.PageMemory;

/**
 * One zspage: {@code k} pages' worth of bytes laid end to end as a logical run, cut into {@code n} slots of one
 * class's size. Slot {@code i} covers bytes {@code [i·size, (i+1)·size)} of the run, so a slot may straddle two or
 * more chunks.
 * <p>
 * The run is made of chunks from the {@link ChunkPool} (an eighth of a page by default), which need not be
 * contiguous nor in the same pages, and a chunk is held only while a live slot touches it: it is taken when the first
 * slot touching it is allocated and given back when the last one is freed. A zspage that is filling therefore holds
 * only the chunks it has reached, and holes left by frees return whole chunks without waiting for compaction.
 * <p>
 * Free slots are a bitmap, and allocation takes the lowest free slot, so live objects gather at the front and the
 * tail chunks stay free. Whether a chunk is still touched is read from the bitmap (the slots over a chunk are a
 * contiguous range), so the only per-chunk state is the chunk id, and nothing is kept per slot beyond its bit: which
 * handle lives in a slot is worked out by compaction when it needs it ({@link SizeClass}).
 * <p>
 * Not thread-safe: guarded by the owning {@link SizeClass}'s lock.
 */
final class ZsPage
{
    final int id;
    final SizeClass sizeClass;
    /** The id its chunks' owner entries in the {@link ChunkPool} name it by ({@link ChunkPool#register}). */
    int poolId;
    /**
     * Chunk id + 1 per position of the run; 0 where no chunk is held. Only as long as the positions reached so far,
     * in whole pages' worth: the zspage still filling in each class would otherwise keep the ids of its whole run (2
     * KiB for 64 pages) while it holds a few objects, which on database pages was most of the zspages' bookkeeping.
     */
    private int[] chunks;
    private final int chunkCount;
    private final int chunksPerPage;
    private final long[] freeSlots;
    private final int objects;
    private final int slotSize;
    private final int chunkShift;
    /** Positions {@code [0, reach)} may hold chunks; none at or beyond. */
    private int reach;
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
        objects = sizeClass.objectsPerZspage;
        this.chunkCount = chunkCount;
        chunksPerPage = Math.max(1, PageMemory.PAGE_SIZE >>> chunkShift);
        chunks = new int[Math.min(chunkCount, chunksPerPage)];
        freeSlots = new long[(objects + 63) >>> 6];
        Arrays.fill(freeSlots, -1L);
        if ((objects & 63) != 0)
        {
            freeSlots[freeSlots.length - 1] = (1L << (objects & 63)) - 1;
        }
    }

    /**
     * @return the chunk id at a position of the run, or {@link ChunkPool#NO_CHUNK}.
     */
    int chunk(final int position)
    {
        return position < chunks.length ? chunks[position] - 1 : ChunkPool.NO_CHUNK;
    }

    /**
     * {@return the position of the run that holds a chunk, or -1 if none does}
     */
    int positionOf(final int chunk)
    {
        for (int c = 0; c < reach; c++)
        {
            if (chunks[c] == chunk + 1)
            {
                return c;
            }
        }
        return -1;
    }

    /**
     * Points a position of the run at another chunk (the chunk moved to another page).
     */
    void moveChunk(final int position, final int chunk)
    {
        chunks[position] = chunk + 1;
    }

    /**
     * @return whether all positions of page group {@code group} (positions {@code [group × perPage, (group + 1) ×
     * perPage)}) hold chunks, and not yet in the order of one pool page: such a group can be gathered into a page of
     * its own.
     */
    boolean scatteredGroup(final int group, final int perPage)
    {
        final int first = group * perPage;
        if (first + perPage > chunks.length)
        {
            return false;
        }
        final int start = chunks[first] - 1;
        boolean inOnePage = start >= 0 && (start & 7) == 0;
        for (int c = first; c < first + perPage; c++)
        {
            if (chunks[c] == 0)
            {
                return false;
            }
            inOnePage &= chunks[c] - 1 == start + c - first;
        }
        return !inOnePage;
    }

    /**
     * @return the first and last page group (positions {@code perPage} apart) a slot touches, packed as
     * {@code first << 16 | last}.
     */
    int groupsOf(final int slot, final int perPage)
    {
        return firstChunk(slot) / perPage << 16 | lastChunk(slot) / perPage;
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
        final int end = Math.min(limit, objects);
        for (int slot = lowestFreeSlot(); slot >= 0 && slot < end; slot++)
        {
            if (isFree(slot) && chunksPresent(slot))
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
            if (c >= chunks.length || chunks[c] == 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return whether a slot is free.
     */
    boolean isFree(final int slot)
    {
        return (freeSlots[slot >>> 6] & 1L << slot) != 0;
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
        return word == freeSlots.length - 1 && (objects & 63) != 0 ? (1L << (objects & 63)) - 1 : -1L;
    }

    /**
     * Takes a free slot, taking the chunks it touches that are not yet present.
     *
     * @return how many chunks were taken, or -1 if the pool had none (nothing changed then).
     */
    int take(final int slot, final ChunkPool pool)
    {
        final int first = firstChunk(slot);
        final int last = lastChunk(slot);
        if (last >= chunks.length)
        {
            // doubled (whole pages' worth at least), so that a zspage filling up copies its ids a few times, not
            // once per page it reaches
            chunks = Arrays.copyOf(chunks, Math.min(chunkCount,
                Math.max(chunks.length * 2, (last / chunksPerPage + 1) * chunksPerPage)));
        }
        int taken = 0;
        long takenMask = 0;
        for (int c = first; c <= last; c++)
        {
            if (chunks[c] == 0)
            {
                final int chunk = pool.acquire(this);
                if (chunk == ChunkPool.NO_CHUNK)
                {
                    for (int d = first; d < c; d++)
                    {
                        if ((takenMask & 1L << (d - first)) != 0)
                        {
                            pool.release(chunks[d] - 1);
                            chunks[d] = 0;
                        }
                    }
                    return -1;
                }
                chunks[c] = chunk + 1;
                taken++;
                takenMask |= 1L << (c - first);
            }
        }
        reach = Math.max(reach, last + 1);
        freeSlots[slot >>> 6] &= ~(1L << slot);
        inUse++;
        return taken;
    }

    /**
     * Frees a live slot, giving back the chunks no live slot touches any more, except those the next allocation here
     * (the new lowest free slot) will touch: an allocate-free-allocate cycle at the fill front would otherwise take
     * and give back the same chunk every time. Such kept chunks are given back by {@link #releaseIdleChunks} (when
     * the zspage is disposed of, or by compaction).
     *
     * @return how many chunks were given back.
     */
    int release(final int slot, final ChunkPool pool)
    {
        freeSlots[slot >>> 6] |= 1L << slot;
        inUse--;
        int given = 0;
        final int next = lowestFreeSlot();
        final int keepFrom = firstChunk(next);
        final int keepTo = lastChunk(next);
        for (int c = firstChunk(slot), last = lastChunk(slot); c <= last; c++)
        {
            if ((c < keepFrom || c > keepTo) && chunks[c] != 0 && !touchedByLiveSlot(c))
            {
                pool.release(chunks[c] - 1);
                chunks[c] = 0;
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
        int highestHeld = -1;
        for (int c = 0; c < reach; c++)
        {
            if (chunks[c] == 0)
            {
                continue;
            }
            if (inUse == 0 || !touchedByLiveSlot(c))
            {
                pool.release(chunks[c] - 1);
                chunks[c] = 0;
                given++;
            }
            else
            {
                highestHeld = c;
            }
        }
        reach = highestHeld + 1;
        if (reach + chunksPerPage <= chunks.length / 2)
        {
            chunks = Arrays.copyOf(chunks, Math.max(chunksPerPage, (reach + chunksPerPage - 1) / chunksPerPage *
                chunksPerPage));
        }
        return given;
    }

    /**
     * @return whether a live slot touches a position of the run: the slots over a chunk are a contiguous range.
     */
    private boolean touchedByLiveSlot(final int position)
    {
        final int from = (int)(((long)position << chunkShift) / slotSize);
        final int to = Math.min(objects - 1, (int)((((long)position + 1 << chunkShift) - 1) / slotSize));
        for (int slot = from; slot <= to; )
        {
            final int word = slot >>> 6;
            final int end = Math.min(to, (word << 6) + 63);
            final long span = end - slot == 63 ? -1L : ((1L << (end - slot + 1)) - 1) << slot;
            if ((~freeSlots[word] & span) != 0)
            {
                return true;
            }
            slot = end + 1;
        }
        return false;
    }

    /**
     * @return whether every slot is taken.
     */
    boolean isFull()
    {
        return inUse == objects;
    }

    /**
     * @return the number of slots.
     */
    int objects()
    {
        return objects;
    }

    /**
     * @return heap bytes of this zspage's bookkeeping (chunk ids and the slot bitmap).
     */
    long footprintBytes()
    {
        return (long)chunks.length * Integer.BYTES + (long)freeSlots.length * Long.BYTES;
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
