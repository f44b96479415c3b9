package org.tmem4j.cli.study;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * The study's table for people: one row per configuration, densities next to each other so fill, churn and
 * compaction read across, and the store/load speeds next to the raw codec's on the same pages so the engine's
 * overhead reads as a percentage.
 */
public final class StudyTable
{
    private static final String HEADER_FORMAT =
        "%-9s %-8s %7s %7s %6s  %6s %6s %7s  %9s %7s  %9s %9s  %9s %9s %9s  %19s %19s  %s%n";
    private static final String ROW_FORMAT = "%-9s %-8s %7d %7d %6.3f  %6.4f %6.4f %7.4f  %9.3f %7.1f  "
        + "%9.1f %9.1f  %9.1f %9.1f %9.1f  %19s %19s  %s%n";

    private StudyTable()
    {
    }

    /**
     * @param results one row each, in the order given.
     * @param out     where the table goes.
     */
    public static void print(final List<StudyResult> results, final PrintWriter out)
    {
        out.printf(Locale.ROOT, HEADER_FORMAT, "", "", "pages", "pages", "", "density", "", "", "effective", "meta", "frontswap",
            "MB/s", "raw codec", "MB/s", "", "of codec, median", "(lowest-highest)", "");
        out.printf(Locale.ROOT, HEADER_FORMAT, "allocator", "codec", "in file", "raw", "ratio", "fill", "churn", "compact",
            "ratio", "B/page", "store", "load", "compress", "decomp", "shuffled", "store", "load", "verified");
        for (final StudyResult r : results)
        {
            out.printf(Locale.ROOT, ROW_FORMAT, r.allocator(), r.codec(), r.pagesInFile(), r.pagesRaw(),
                r.compressionRatio(),
                r.density(),
                r.churnDensity(), r.compactedDensity(), r.effectiveRatio(),
                r.pagesInEngine() == 0 ? 0.0 : (double)r.metadataBytes() / r.pagesInEngine(),
                r.storeMbPerS(), r.loadMbPerS(), r.codecCompressMbPerS(), r.codecDecompressMbPerS(),
                r.codecShuffledDecompressMbPerS(), percent(r.storeShares()), percent(r.loadShares()),
                r.verified() ? "yes" : "NO: loaded pages differ");
        }
        for (final StudyResult r : results)
        {
            if (r.remotePages() > 0)
            {
                out.printf(Locale.ROOT, "%s %s: %,d pages (%,d bytes) in Redis after the fill, Redis used_memory "
                    + "%,d bytes (%.0f B per page)%n", r.allocator(), r.codec(), r.remotePages(), r.remoteBytes(),
                    r.redisUsedMemoryBytes(), (double)r.redisUsedMemoryBytes() / r.remotePages());
            }
        }
        out.println();
        out.println("pages in file: refused by the engine's admission policy, written to the swap file; every other "
            + "figure but MB/s is of the pages the engine holds;");
        out.println("pages raw: kept uncompressed by the engine (--raw-incompressible); the other pages it holds "
            + "are compressed;");
        out.println("ratio = original / compressed bytes; density = compressed bytes / pool bytes after the fill, "
            + "after freeing every other page (churn) and after compaction;");
        out.println("effective ratio = original / (pool + metadata) bytes; MB/s = 10^6 original bytes per second, "
            + "the fastest pass of each;");
        out.println("of codec = frontswap speed / raw codec speed on the same pages in the same pass: the median of "
            + "the passes, the lowest and highest in brackets;");
        out.println("raw codec decomp reads its blocks back to back in the order it wrote them, shuffled reads the "
            + "same blocks in the same order from shuffled places, as a store's memory holds them.");
    }

    private static String percent(final PairedShares shares)
    {
        return String.format(Locale.ROOT, "%.1f%% (%.1f-%.1f)", 100 * shares.median(), 100 * shares.low(),
            100 * shares.high());
    }
}
