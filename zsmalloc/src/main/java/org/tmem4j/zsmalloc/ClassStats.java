package org.tmem4j.zsmalloc;

import java.util.Arrays;

import org.tmem4j.memory.PageMemory;

/**
 * One row of a {@link Zsmalloc}'s class table: the columns of the kernel's debugfs {@code zsmalloc/<pool>/classes}
 * file for one size class, plus the bytes actually stored.
 *
 * @param index            the class's index.
 * @param size             slot size in bytes.
 * @param pagesPerZspage   pages in a full zspage.
 * @param objectsPerZspage slots in a zspage.
 * @param groups           zspages per fullness group: 10%, 20%, ..., 90%, 99%, 100% (11 values; a zspage less than
 *                         10% used counts under 10%, one at least 90% but not full under 99%).
 * @param objAllocated     slots in the class's zspages.
 * @param objUsed          live objects.
 * @param storedBytes      sum of the live objects' sizes.
 * @param chunksUsed       chunks the class holds (zspages take chunks only as their slots reach them).
 * @param chunkSize        bytes per chunk.
 * @param freeableChunks   chunks compaction would give back: {@code chunksUsed} minus the minimum for
 *                         {@code objUsed}.
 * @param chunksCompacted  chunks the class's compaction has given back since the allocator was created.
 * @param compactionStalls times compaction stopped because no chunk was free for a destination slot.
 * @param handleTableBytes heap bytes of the class's handle table (6 bytes per entry: the only per-object metadata).
 * @param zspageBytes      heap bytes of the class's zspage bookkeeping (chunk ids, slot bitmaps, zspage table).
 */
public record ClassStats(int index, int size, int pagesPerZspage, int objectsPerZspage, long[] groups,
    long objAllocated, long objUsed, long storedBytes, long chunksUsed, int chunkSize, long freeableChunks,
    long chunksCompacted, long compactionStalls, long handleTableBytes, long zspageBytes)
{
    /** Number of fullness groups reported. */
    public static final int GROUPS = 11;

    /**
     * Creates a row; the canonical constructor, which copies {@code groups}.
     *
     * @param index            the class's index.
     * @param size             slot size.
     * @param pagesPerZspage   pages per zspage.
     * @param objectsPerZspage slots per zspage.
     * @param groups           11 group counts; copied.
     * @param objAllocated     slots allocated.
     * @param objUsed          live objects.
     * @param storedBytes      bytes stored.
     * @param chunksUsed       chunks held.
     * @param chunkSize        bytes per chunk.
     * @param freeableChunks   chunks compaction would free.
     * @param chunksCompacted  chunks compacted so far.
     * @param compactionStalls compaction stalls so far.
     * @param handleTableBytes heap bytes of the handle table.
     * @param zspageBytes      heap bytes of the zspage bookkeeping.
     */
    public ClassStats
    {
        if (groups.length != GROUPS)
        {
            throw new IllegalArgumentException("groups must have " + GROUPS + " counts, had " + groups.length);
        }
        groups = groups.clone();
    }

    /**
     * {@return zspages in that fullness group}
     *
     * @param group 0 (10%) to 10 (100%).
     */
    public long group(final int group)
    {
        return groups[group];
    }

    /** {@return the 11 fullness group counts, a copy} */
    @Override
    public long[] groups()
    {
        return groups.clone();
    }

    /**
     * {@return the bytes of the class's chunks in pages (the kernel's {@code pages_used}; fractional when chunks are
     * smaller than a page, since chunks of different classes share pages)}
     */
    public double pagesUsed()
    {
        return (double)chunksUsed * chunkSize / PageMemory.PAGE_SIZE;
    }

    /**
     * {@return the kernel's {@code freeable}: pages' worth of chunks compaction would give back}
     */
    public double freeable()
    {
        return (double)freeableChunks * chunkSize / PageMemory.PAGE_SIZE;
    }

    /**
     * {@return the class's zspages}
     */
    public long zspages()
    {
        return Arrays.stream(groups).sum();
    }

    /**
     * @param other a row of the same class (another shard of it).
     * @return the two rows summed: one row for the class.
     */
    ClassStats plus(final ClassStats other)
    {
        final long[] sum = groups.clone();
        for (int g = 0; g < GROUPS; g++)
        {
            sum[g] += other.groups[g];
        }
        return new ClassStats(index, size, pagesPerZspage, objectsPerZspage, sum, objAllocated + other.objAllocated,
            objUsed + other.objUsed, storedBytes + other.storedBytes, chunksUsed + other.chunksUsed, chunkSize,
            freeableChunks + other.freeableChunks, chunksCompacted + other.chunksCompacted,
            compactionStalls + other.compactionStalls, handleTableBytes + other.handleTableBytes,
            zspageBytes + other.zspageBytes);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ClassStats that && index == that.index && size == that.size &&
            pagesPerZspage == that.pagesPerZspage && objectsPerZspage == that.objectsPerZspage &&
            Arrays.equals(groups, that.groups) && objAllocated == that.objAllocated && objUsed == that.objUsed &&
            storedBytes == that.storedBytes && chunksUsed == that.chunksUsed && chunkSize == that.chunkSize &&
            freeableChunks == that.freeableChunks && chunksCompacted == that.chunksCompacted &&
            compactionStalls == that.compactionStalls &&
            handleTableBytes == that.handleTableBytes && zspageBytes == that.zspageBytes;
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(groups) + Long.hashCode(objUsed * 31 + chunksUsed) + index;
    }

    @Override
    public String toString()
    {
        return "ClassStats{class=" + index + ", size=" + size + ", groups=" + Arrays.toString(groups) +
            ", objAllocated=" + objAllocated + ", objUsed=" + objUsed + ", chunksUsed=" + chunksUsed +
            ", freeableChunks=" + freeableChunks + ", compactionStalls=" + compactionStalls + "}";
    }
}
