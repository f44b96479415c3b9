package org.tmem4j.jmh.peer;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.tmem4j.cli.corpus.PageCorpus;

/**
 * Memory per stored page of each {@link PageStore}, measured the same way for all: the heap in use after a full
 * collection before and after filling the store with the corpus (boxed keys, map nodes, arrays, indexes), plus the
 * native bytes the store itself accounts for its entries (tmem4j's pool pages, Ehcache's occupied off-heap bytes).
 * Every store gets the same pages, {@link CommonPages}: those tmem4j's admission policy accepts. Every page is read
 * back and compared, so a store that lost pages cannot look small; a page a store still refuses is counted, and the
 * memory divided by the pages it holds.
 *
 * @param store         the store's name.
 * @param pages         pages held.
 * @param refused       pages the store refused to hold.
 * @param originalBytes size of the held pages before compression.
 * @param heapBytes     heap growth after a full GC.
 * @param offHeapBytes  native bytes the store reports holding for its entries.
 * @param verified      whether every held page read back as stored, and every refused one was not found.
 */
public record PeerFootprint(String store, int pages, int refused, long originalBytes, long heapBytes, long offHeapBytes,
    boolean verified)
{
    /**
     * @return (heap + native) bytes / pages.
     */
    @JsonProperty("bytesPerPage")
    public double bytesPerPage()
    {
        return pages == 0 ? 0.0 : (double)(heapBytes + offHeapBytes) / pages;
    }

    /**
     * @param corpus the pages.
     * @return one footprint per store in {@link PageStore#names()}, all on the same pages.
     */
    public static List<PeerFootprint> measureAll(final PageCorpus corpus)
    {
        final int[] keys = CommonPages.of(corpus);
        return PageStore.names().stream().map(name -> measure(name, corpus, keys)).toList();
    }

    /**
     * @param name   a store's name.
     * @param corpus the pages.
     * @param keys   which of them to store.
     * @return what storing them cost.
     */
    static PeerFootprint measure(final String name, final PageCorpus corpus, final int[] keys)
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        final int count = keys.length;
        final long heapBefore = heapAfterGc(memory);
        try (PageStore store = PageStore.create(name, count); Arena arena = Arena.ofConfined())
        {
            final boolean[] held = new boolean[count];
            int refused = 0;
            for (int i = 0; i < count; i++)
            {
                held[i] = store.put(keys[i], CommonPages.page(corpus, keys[i]));
                refused += held[i] ? 0 : 1;
            }
            final long heapAfter = heapAfterGc(memory);
            final long offHeap = store.offHeapBytes();
            final MemorySegment dst = arena.allocate(PageCorpus.PAGE_SIZE);
            boolean verified = true;
            for (int i = 0; i < count && verified; i++)
            {
                final boolean found = store.get(keys[i], dst);
                verified = found == held[i] && (!found || dst.mismatch(CommonPages.page(corpus, keys[i])) == -1);
            }
            final int kept = count - refused;
            return new PeerFootprint(name, kept, refused, (long)kept * PageCorpus.PAGE_SIZE,
                Math.max(0, heapAfter - heapBefore), offHeap, verified);
        }
    }

    /**
     * @param footprints one row each.
     * @param out        where the table goes.
     */
    public static void print(final List<PeerFootprint> footprints, final PrintWriter out)
    {
        out.printf(Locale.ROOT, "%-16s %8s %8s %12s %14s %14s %10s %8s  %s%n", "store", "held", "refused",
            "original MiB",
            "heap B/page", "native B/page", "B/page", "ratio", "verified");
        for (final PeerFootprint f : footprints)
        {
            out.printf(Locale.ROOT, "%-16s %8d %8d %12.1f %14.1f %14.1f %10.1f %8.3f  %s%n", f.store(), f.pages(),
                f.refused(),
                f.originalBytes() / (double)(1 << 20), (double)f.heapBytes() / f.pages(),
                (double)f.offHeapBytes() / f.pages(), f.bytesPerPage(),
                f.bytesPerPage() == 0 ? 0.0 : PageCorpus.PAGE_SIZE / f.bytesPerPage(), f.verified() ? "yes" : "NO");
        }
        out.println("B/page = (heap growth after a full GC + native bytes the store reports) / pages held; "
            + "ratio = 4096 / B/page;");
        out.println("every store got the same pages: those tmem4j's admission policy accepts "
            + "(refused: pages a store still did not hold).");
    }

    private static long heapAfterGc(final MemoryMXBean memory)
    {
        // several collections: the first may leave objects for finalization or queued references behind
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++)
        {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
