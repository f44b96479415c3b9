package org.tmem4j.hardening;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

import org.tmem4j.memory.PageMemory;
import org.tmem4j.memory.PageMemoryStats;
import org.tmem4j.memory.ProcessMemory;

/**
 * One sample of what the process holds, for the leak test and the soak: the live Java heap (after a collection, so
 * garbage does not count), the page memory's bytes mapped and in use, the JDK's direct buffers, and the resident set
 * the kernel reports (which covers codec contexts and anything else native the Java side cannot see).
 *
 * @param heapBytes         heap used after {@link System#gc()}.
 * @param heapCommittedBytes heap the JVM has committed (part of the resident set, and it moves with GC sizing).
 * @param nonHeapCommittedBytes the JVM's own non-heap pools committed (code cache, metaspace), which grow while the
 *                          JIT warms up.
 * @param reservedBytes     bytes the page memory holds mapped from the OS (never above its budget).
 * @param pagesInUse        pages handed to the allocator.
 * @param directBytes       bytes of direct {@link java.nio.ByteBuffer}s.
 * @param residentBytes     the process's resident set ({@code VmRSS}), or -1 where {@code /proc} is missing.
 */
record MemoryFootprint(long heapBytes, long heapCommittedBytes, long nonHeapCommittedBytes, long reservedBytes,
    long pagesInUse, long directBytes, long residentBytes)
{
    private static final long MIB = 1L << 20;

    /**
     * @param memory the page memory to read, or null for none.
     * @return a sample taken now.
     */
    static MemoryFootprint sample(final PageMemory memory)
    {
        System.gc();
        final MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long direct = 0;
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                direct = pool.getMemoryUsed();
            }
        }
        final PageMemoryStats stats = memory == null || memory.isClosed() ? null : memory.stats();
        final long nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getCommitted();
        return new MemoryFootprint(heap.getUsed(), heap.getCommitted(), nonHeap,
            stats == null ? 0 : stats.reservedBytes(),
            stats == null ? 0 : stats.pagesInUse(), direct, ProcessMemory.residentBytes());
    }

    /**
     * @return the resident set less the JVM's committed heap and non-heap pools: native memory outside the JVM's
     * own accounting (codec contexts, arenas, slabs, malloc), without the swings of heap sizing and JIT warm-up;
     * -1 where the resident set is unknown.
     */
    long nativeBytes()
    {
        return residentBytes < 0 ? -1 : residentBytes - heapCommittedBytes - nonHeapCommittedBytes;
    }

    @Override
    public String toString()
    {
        return String.format("heap %.1f MiB, page memory %.1f MiB mapped / %d pages in use, direct %.1f MiB, rss %s, "
            + "rss less the JVM's heap and non-heap %s", (double)heapBytes / MIB, (double)reservedBytes / MIB,
            pagesInUse,
            (double)directBytes / MIB,
            residentBytes < 0 ? "n/a" : String.format("%.1f MiB", (double)residentBytes / MIB),
            residentBytes < 0 ? "n/a" : String.format("%.1f MiB", (double)nativeBytes() / MIB));
    }
}
