package org.tmem4j.zsmalloc;

import java.util.List;
import java.util.Locale;

import org.tmem4j.memory.PageMemory;
import org.tmem4j.stats.CounterCatalog;
import org.tmem4j.stats.CounterUnit;

/**
 * The class table of a {@link Zsmalloc}, with totals: the data behind the kernel's debugfs {@code classes} file.
 * Rows are taken one class at a time, each under its class's lock, so each row is consistent; under concurrent use
 * the totals are the sum of rows taken at slightly different moments.
 *
 * @param classes        one row per class, by size.
 * @param pagesUsed      pages the allocator holds from the page memory (chunks of all classes share them).
 * @param pagesCompacted pages compaction has given back since creation (the kernel's pool stat).
 * @param pool           the chunk pool's and the background compaction's counters.
 */
public record ZsmallocStats(List<ClassStats> classes, long pagesUsed, long pagesCompacted, PoolCounters pool)
{
    /** zsmalloc's own counters, the details of its {@link org.tmem4j.alloc.AllocatorStats}. */
    public static final CounterCatalog<ZsmallocStats> DETAILS = CounterCatalog.<ZsmallocStats>builder()
        .counter("pages_compacted", CounterUnit.PAGES, "pages compaction gave back to page memory",
            ZsmallocStats::pagesCompacted)
        .counter("compaction_stalls", CounterUnit.EVENTS, "times compaction stopped for want of a free page",
            ZsmallocStats::compactionStalls)
        .gauge("chunks_used", CounterUnit.CHUNKS, "chunks in use by all size classes", ZsmallocStats::chunksUsed)
        .gauge("zspages", CounterUnit.ZSPAGES, "zspages of all size classes",
            s -> s.classes.stream().mapToLong(ClassStats::zspages).sum())
        .gauge("classes_in_use", CounterUnit.CLASSES, "size classes holding at least one object",
            s -> s.classes.stream().filter(c -> c.objUsed() > 0).count())
        .gauge("handle_table_bytes", CounterUnit.BYTES, "heap bytes of the handle tables",
            ZsmallocStats::handleTableBytes)
        .gauge("zspage_bytes", CounterUnit.BYTES, "heap bytes of the zspages' chunk ids and slot bitmaps",
            ZsmallocStats::zspageBytes)
        .gauge("chunk_pool_bytes", CounterUnit.BYTES, "estimated heap bytes of the chunk pool's per-page owner records",
            s -> s.pool.chunkPoolBytes())
        .counter("chunks_moved", CounterUnit.CHUNKS, "chunks moved out of sparse pages, by frees and by compaction",
            s -> s.pool.chunksMoved())
        .counter("pages_gathered", CounterUnit.PAGES, "pages taken whole to lay a zspage's completed page of objects " +
            "in a row of memory (read in place)", s -> s.pool.pagesGathered())
        .counter("policy_compactions", CounterUnit.EVENTS, "compactions the background compaction policy ran",
            s -> s.pool.policyCompactions())
        .counter("policy_pages_compacted", CounterUnit.PAGES, "pages those background compactions gave back",
            s -> s.pool.policyPagesCompacted())
        .counter("policy_compaction_errors", CounterUnit.EVENTS, "background compaction checks that failed",
            s -> s.pool.policyCompactionErrors())
        .build();

    /**
     * Counters of the whole allocator rather than of a class.
     *
     * @param chunksMoved            chunks moved between pages by frees (to give pages back) and by compaction.
     * @param chunkPoolBytes         estimated heap bytes of the chunk pool's per-page records.
     * @param pagesGathered          pages taken whole to lay a zspage's completed page of objects in a row of memory.
     * @param policyCompactions      compactions run by the background policy.
     * @param policyPagesCompacted   pages those compactions gave back.
     * @param policyCompactionErrors background checks that threw.
     */
    public record PoolCounters(long chunksMoved, long chunkPoolBytes, long pagesGathered, long policyCompactions,
        long policyPagesCompacted, long policyCompactionErrors)
    {
    }

    /**
     * Creates the statistics; the canonical constructor, which copies {@code classes}.
     *
     * @param classes        rows; copied.
     * @param pagesUsed      pages held.
     * @param pagesCompacted pages compacted.
     * @param pool           pool-wide counters.
     */
    public ZsmallocStats
    {
        classes = List.copyOf(classes);
    }


    /**
     * {@return live objects}
     */
    public long objects()
    {
        return classes.stream().mapToLong(ClassStats::objUsed).sum();
    }

    /**
     * {@return bytes stored in live objects}
     */
    public long storedBytes()
    {
        return classes.stream().mapToLong(ClassStats::storedBytes).sum();
    }

    /**
     * {@return chunks in use by all classes}
     */
    public long chunksUsed()
    {
        return classes.stream().mapToLong(ClassStats::chunksUsed).sum();
    }

    /**
     * {@return pages' worth of chunks that class compaction would give back now}
     */
    public double freeable()
    {
        return classes.stream().mapToDouble(ClassStats::freeable).sum();
    }

    /**
     * {@return times compaction stopped for want of a free page}
     */
    public long compactionStalls()
    {
        return classes.stream().mapToLong(ClassStats::compactionStalls).sum();
    }

    /**
     * {@return heap bytes of all handle tables}
     */
    public long handleTableBytes()
    {
        return classes.stream().mapToLong(ClassStats::handleTableBytes).sum();
    }

    /**
     * {@return heap bytes of all zspage bookkeeping (chunk ids, slot bitmaps, zspage tables)}
     */
    public long zspageBytes()
    {
        return classes.stream().mapToLong(ClassStats::zspageBytes).sum();
    }

    /**
     * {@return stored bytes / bytes of pages held (0 when empty)}
     */
    public double density()
    {
        return pagesUsed == 0 ? 0.0 : (double)storedBytes() / ((double)pagesUsed * PageMemory.PAGE_SIZE);
    }

    /**
     * {@return the table as text, with the kernel's debugfs columns (and {@code stored} bytes), one line per class
     * that holds chunks or objects, then a Total line and {@code pages_compacted}. A class's {@code pages_used} and
     * {@code freeable} are its chunks in pages; the Total's {@code pages_used} is the pages actually held}
     */
    public String table()
    {
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%5s %5s", "class", "size"));
        for (int g = 1; g < SizeClass.GROUP_NAMES.length; g++)
        {
            out.append(String.format(Locale.ROOT, " %5s", SizeClass.GROUP_NAMES[g]));
        }
        out.append(String.format(Locale.ROOT, " %13s %9s %10s %16s %8s %12s%n", "obj_allocated", "obj_used",
            "pages_used", "pages_per_zspage", "freeable", "stored"));
        final long[] totalGroups = new long[ClassStats.GROUPS];
        long allocated = 0;
        for (final ClassStats row : classes)
        {
            allocated += row.objAllocated();
            for (int g = 0; g < ClassStats.GROUPS; g++)
            {
                totalGroups[g] += row.group(g);
            }
            if (row.chunksUsed() == 0 && row.objUsed() == 0)
            {
                continue;
            }
            line(out, String.valueOf(row.index()), String.valueOf(row.size()), row.groups(), row.objAllocated(),
                row.objUsed(), row.pagesUsed(), String.valueOf(row.pagesPerZspage()), row.freeable(),
                row.storedBytes());
        }
        out.append('\n');
        line(out, "Total", "", totalGroups, allocated, objects(), pagesUsed, "", freeable(), storedBytes());
        out.append(String.format(Locale.ROOT, "pages_compacted %d, compaction_stalls %d, density %.4f%n",
            pagesCompacted, compactionStalls(), density()));
        return out.toString();
    }

    private static void line(final StringBuilder out, final String cls, final String size, final long[] groups,
        final long allocated, final long used, final double pages, final String perZspage, final double freeable,
        final long stored)
    {
        out.append(String.format(Locale.ROOT, "%5s %5s", cls, size));
        for (final long count : groups)
        {
            out.append(String.format(Locale.ROOT, " %5d", count));
        }
        out.append(String.format(Locale.ROOT, " %13d %9d %10.2f %16s %8.2f %12d%n", allocated, used, pages, perZspage,
            freeable, stored));
    }
}
