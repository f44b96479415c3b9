package org.tmem4j.zsmalloc;

import java.util.ArrayList;
import java.util.List;

import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.memory.PageMemory;

/**
 * The size classes of a {@link Zsmalloc}: for every object size 1 to 4096, the slot size it rounds up to, and for
 * every class the number of pages in its zspage and of objects in those pages.
 * <p>
 * Candidate slot sizes run down from 4096 in steps of {@code step} bytes. Each picks the zspage length
 * {@code k} in {@code 1..maxPagesPerZspage} that wastes the smallest fraction of the zspage in its tail
 * ({@code k·4096 mod size}), the smallest {@code k} winning ties, and never more than
 * {@link #MAX_OBJECTS_PER_ZSPAGE} slots. Going from the largest size down, a candidate with the same
 * {@code (k, objects)} as the class above it adds nothing but a smaller slot that holds the same number of objects in
 * the same pages, so it is merged into that class: requests round up to the larger slot.
 * <p>
 * Zspages are built from chunks of {@code chunkSize} bytes ({@link ChunkPool}). The step and the chunk size trade
 * two wastes against each other (measured in the README): a finer step rounds each object up by less, but spreads
 * the same objects over more classes, and every class that holds objects keeps one zspage whose last chunk is on
 * average half empty; smaller chunks make that half chunk cheaper. Instances are immutable and thread-safe.
 */
public final class ClassLayout
{
    /** Most slots in one zspage: a slot index fits 12 bits. */
    public static final int MAX_OBJECTS_PER_ZSPAGE = 4096;
    /** Longest zspage accepted. */
    public static final int MAX_PAGES_PER_ZSPAGE = 64;
    /** The layout {@link Zsmalloc} uses unless told otherwise: chosen by the density measurements in the README. */
    public static final ClassLayout DEFAULT = of(16, 64, 512);

    private static final int PAGE = PageMemory.PAGE_SIZE;

    private final int step;
    private final int maxPagesPerZspage;
    private final int chunkSize;
    private final int[] slotSize;
    private final int[] pagesPerZspage;
    private final int[] objectsPerZspage;
    private final short[] classOfSize;

    private ClassLayout(final int step, final int maxPagesPerZspage, final int chunkSize)
    {
        this.step = step;
        this.maxPagesPerZspage = maxPagesPerZspage;
        this.chunkSize = chunkSize;
        final List<int[]> classes = new ArrayList<>();
        int previousK = -1;
        int previousN = -1;
        for (int size = ObjectAllocator.MAX_OBJECT_SIZE; size >= step; size -= step)
        {
            final int k = bestPages(size, maxPagesPerZspage);
            final int n = k * PAGE / size;
            if (k == previousK && n == previousN)
            {
                continue;
            }
            classes.add(new int[]{size, k, n});
            previousK = k;
            previousN = n;
        }
        classes.sort((a, b) -> Integer.compare(a[0], b[0]));
        slotSize = classes.stream().mapToInt(c -> c[0]).toArray();
        pagesPerZspage = classes.stream().mapToInt(c -> c[1]).toArray();
        objectsPerZspage = classes.stream().mapToInt(c -> c[2]).toArray();
        classOfSize = new short[ObjectAllocator.MAX_OBJECT_SIZE + 1];
        int c = 0;
        for (int size = 1; size <= ObjectAllocator.MAX_OBJECT_SIZE; size++)
        {
            while (slotSize[c] < size)
            {
                c++;
            }
            classOfSize[size] = (short)c;
        }
    }

    /**
     * {@return the layout}
     *
     * @param step              bytes between candidate slot sizes (4096, 4096 - step, ...): a multiple of 8 from 8 to
     *                          512.
     * @param maxPagesPerZspage longest zspage, 1 to {@link #MAX_PAGES_PER_ZSPAGE}.
     * @param chunkSize         bytes of the pieces zspages are built from: 512, 1024, 2048 or 4096 (whole pages).
     * @throws IllegalArgumentException naming the allowed values.
     */
    public static ClassLayout of(final int step, final int maxPagesPerZspage, final int chunkSize)
    {
        if (chunkSize != 512 && chunkSize != 1024 && chunkSize != 2048 && chunkSize != 4096)
        {
            throw new IllegalArgumentException("chunkSize must be 512, 1024, 2048 or 4096, was " + chunkSize);
        }
        if (step < 8 || step > 512 || step % 8 != 0)
        {
            throw new IllegalArgumentException("step must be a multiple of 8 from 8 to 512, was " + step);
        }
        if (maxPagesPerZspage < 1 || maxPagesPerZspage > MAX_PAGES_PER_ZSPAGE)
        {
            throw new IllegalArgumentException("maxPagesPerZspage must be 1 to " + MAX_PAGES_PER_ZSPAGE + ", was " +
                maxPagesPerZspage);
        }
        return new ClassLayout(step, maxPagesPerZspage, chunkSize);
    }

    private static int bestPages(final int size, final int maxPages)
    {
        int best = 1;
        double bestWaste = Double.MAX_VALUE;
        for (int k = 1; k <= maxPages; k++)
        {
            final int n = k * PAGE / size;
            if (n > MAX_OBJECTS_PER_ZSPAGE)
            {
                break;
            }
            final double waste = (double)(k * PAGE - n * size) / (k * PAGE);
            if (waste < bestWaste - 1e-12)
            {
                best = k;
                bestWaste = waste;
            }
        }
        return best;
    }

    /**
     * {@return the number of classes}
     */
    public int classCount()
    {
        return slotSize.length;
    }

    /**
     * {@return the index of the smallest class whose slots hold it}
     *
     * @param size an object size, 1 to 4096.
     */
    public int classOf(final int size)
    {
        return classOfSize[size];
    }

    /**
     * {@return the class's slot size in bytes}
     *
     * @param cls a class index.
     */
    public int slotSize(final int cls)
    {
        return slotSize[cls];
    }

    /**
     * {@return pages in each of the class's zspages}
     *
     * @param cls a class index.
     */
    public int pagesPerZspage(final int cls)
    {
        return pagesPerZspage[cls];
    }

    /**
     * {@return objects in each of the class's zspages}
     *
     * @param cls a class index.
     */
    public int objectsPerZspage(final int cls)
    {
        return objectsPerZspage[cls];
    }

    /**
     * The fewest chunks that can hold {@code objects} objects of a class: full zspages, then the chunks that the
     * first slots of one more zspage touch. Compaction reaches exactly this.
     *
     * @param cls     a class index.
     * @param objects live objects in the class.
     * @return the minimum number of chunks.
     */
    public long minimumChunks(final int cls, final long objects)
    {
        final int n = objectsPerZspage[cls];
        final long rest = objects % n;
        return objects / n * chunksPerZspage(cls) + (rest * slotSize[cls] + chunkSize - 1) / chunkSize;
    }

    /**
     * {@return chunks a full zspage of the class holds: those its slots reach (a tail of a chunk or more is never
     * taken)}
     *
     * @param cls a class index.
     */
    public int chunksPerZspage(final int cls)
    {
        return (objectsPerZspage[cls] * slotSize[cls] + chunkSize - 1) / chunkSize;
    }

    /**
     * {@return bytes of the pieces zspages are built from (a page or a fraction of one)}
     */
    public int chunkSize()
    {
        return chunkSize;
    }

    /**
     * {@return bytes between candidate slot sizes}
     */
    public int step()
    {
        return step;
    }

    /**
     * {@return the longest zspage this layout allows}
     */
    public int maxPagesPerZspage()
    {
        return maxPagesPerZspage;
    }

    @Override
    public String toString()
    {
        return "ClassLayout{step=" + step + ", maxPagesPerZspage=" + maxPagesPerZspage + ", chunkSize=" + chunkSize +
            ", classes=" + classCount() + "}";
    }
}
