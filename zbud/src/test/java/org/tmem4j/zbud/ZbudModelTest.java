package org.tmem4j.zbud;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectPattern;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * zbud against an in-heap model of its policy: which page every object lands in (best fit, or a new page only when
 * nothing fits), which buddy, where in the page, and from that the exact number of pages held after every
 * operation. Every live object reads back
 * its bytes; the budget is never exceeded; close gives every page back.
 * <p>
 * Seeded and reproducible: {@code -Dtmem4j.seed=N}, {@code -Dtmem4j.ops=N} (default 10^6).
 */
final class ZbudModelTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int OPS = Integer.getInteger("tmem4j.ops", 1_000_000);
    private static final int BUDGET_PAGES = 1024;
    private static final int WAVE = 40_000;

    /** A model page: its shard and the object (handle, id, size) in each buddy, 0 size for an empty buddy. */
    private static final class Page
    {
        final int shard;
        final long[] handles = new long[2];
        final long[] ids = new long[2];
        final int[] sizes = new int[2];

        Page(final int shard)
        {
            this.shard = shard;
        }

        int objects()
        {
            return (sizes[0] != 0 ? 1 : 0) + (sizes[1] != 0 ? 1 : 0);
        }

        int usedChunks()
        {
            return PageTable.chunks(sizes[0]) + PageTable.chunks(sizes[1]);
        }

        /** Free chunks if the page can take one more object, else -1. */
        int pairableFree()
        {
            return objects() == 1 ? PageTable.CHUNKS - usedChunks() : -1;
        }
    }

    /** Pages by shard and slot ({@link #key}). */
    private final Map<Long, Page> pages = new HashMap<>();
    private final List<Long> live = new ArrayList<>();
    private final Map<Long, Integer> liveIndex = new HashMap<>();
    /** How many model pages of each shard can take one more object, by their free chunks. */
    private int[][] pairableByFree;
    private int shards;
    private long storedBytes;

    private ZbudAllocator allocator;
    private PageMemory memory;
    private MemorySegment buffer;
    private MemorySegment expected;
    private String context = "";

    /**
     * With one shard the policy is exact. With several, which shard is the thread's own depends on the CPU it runs
     * on, so the model checks what holds whichever it is: best fit within the shard an object lands in, a new page
     * only in a shard without a fit, and {@code NO_MEMORY} only when no page of any shard has room and the budget
     * is spent.
     */
    @ParameterizedTest(name = "shards={0}")
    @ValueSource(ints = {1, 4})
    void policyAndContentsMatchTheModel(final int shards)
    {
        this.shards = shards;
        this.pairableByFree = new int[shards][PageTable.CHUNKS + 1];
        try (Arena arena = Arena.ofConfined())
        {
            buffer = arena.allocate(PageMemory.PAGE_SIZE);
            expected = arena.allocate(PageMemory.PAGE_SIZE);
            memory = PageMemory.builder().budgetBytes((long)BUDGET_PAGES * PageMemory.PAGE_SIZE).slabBytes(64 << 10)
                .build();
            allocator = new ZbudAllocator(memory, shards);
            run();
            allocator.close();
            assertEquals(0, memory.stats().pagesInUse(), "close must give every page back; seed " + SEED);
            memory.close();
            assertEquals(0, memory.stats().reservedBytes(), "closing the memory must unmap every slab");
        }
    }

    private void run()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        long nextId = 0;
        int noMemory = 0;
        for (int op = 0; op < OPS; op++)
        {
            context = "op " + op + ", seed " + SEED;
            final boolean filling = (op / WAVE) % 2 == 0;
            final int dice = random.nextInt(1000);
            if (dice < (filling ? 550 : 330))
            {
                final int size = size(random);
                if (allocate(size, nextId))
                {
                    nextId++;
                }
                else
                {
                    noMemory++;
                }
            }
            else if (dice < 800)
            {
                if (!live.isEmpty())
                {
                    final long handle = live.get(random.nextInt(live.size()));
                    verify(handle);
                    allocator.free(handle);
                    forget(handle);
                }
            }
            else if (!live.isEmpty())
            {
                verify(live.get(random.nextInt(live.size())));
            }
            assertEquals(pages.size(), allocator.stats().pagesUsed(), context + ": pages held");
            if (op % WAVE == WAVE - 1)
            {
                verifyAll();
            }
        }
        verifyAll();
        assertTrue(noMemory > 0, "the budget was never reached; seed " + SEED);
        System.out.printf("zbud policy model: seed %d, %d ops, %d NO_MEMORY, %s%n", SEED, OPS, noMemory,
            allocator);
    }

    /** Compressed-page-like sizes: mostly mid-sized, some tiny, some whole pages. */
    private static int size(final SplittableRandom random)
    {
        final int kind = random.nextInt(20);
        if (kind == 0)
        {
            return PageMemory.PAGE_SIZE - random.nextInt(64);
        }
        if (kind < 4)
        {
            return 1 + random.nextInt(200);
        }
        if (kind < 12)
        {
            return 1 + random.nextInt(PageMemory.PAGE_SIZE);
        }
        return (int)Math.max(1, Math.min(PageMemory.PAGE_SIZE, 2000 + random.nextGaussian() * 700));
    }

    private static long key(final long handle)
    {
        return (long)ZbudHandle.shard(handle) << 32 | ZbudHandle.slot(handle);
    }

    /** The fewest free chunks of a one-object page of a shard that still hold {@code chunks}, or -1. */
    private int bestFitFree(final int shard, final int chunks)
    {
        for (int free = chunks; free < PageTable.CHUNKS; free++)
        {
            if (pairableByFree[shard][free] > 0)
            {
                return free;
            }
        }
        return -1;
    }

    /** Whether any page of any shard can take {@code chunks}. */
    private boolean anyFit(final int chunks)
    {
        for (int shard = 0; shard < shards; shard++)
        {
            if (bestFitFree(shard, chunks) >= 0)
            {
                return true;
            }
        }
        return false;
    }

    /** Keeps {@link #pairableByFree} right across a change of a page: call with -1 before, +1 after. */
    private void count(final Page page, final int delta)
    {
        final int free = page.pairableFree();
        if (free >= 0)
        {
            pairableByFree[page.shard][free] += delta;
        }
    }

    private boolean allocate(final int size, final long id)
    {
        final int chunks = PageTable.chunks(size);
        final boolean anyFit = anyFit(chunks);
        final long handle = allocator.allocate(size);
        assertTrue(memory.stats().reservedBytes() <= memory.budgetBytes(), context + ": budget exceeded");
        if (handle == ObjectAllocator.NO_MEMORY)
        {
            assertTrue(!anyFit, context + ": NO_MEMORY for " + size + " bytes though a page had room");
            assertEquals(0, memory.availablePages(), context + ": NO_MEMORY with pages left in the budget");
            return false;
        }
        assertTrue(handle > 0, context + ": handle " + handle);
        assertTrue(!liveIndex.containsKey(handle), context + ": live handle " + handle + " handed out again");
        final int shard = ZbudHandle.shard(handle);
        final int bestFree = bestFitFree(shard, chunks);
        final int buddy = ZbudHandle.buddy(handle);
        Page page = pages.get(key(handle));
        if (page == null)
        {
            assertEquals(-1, bestFree, context + ": " + size + " bytes went to a new page of shard " + shard +
                " though one of its pages had " + bestFree + " free chunks");
            assertEquals(PageTable.FIRST, buddy, context + ": a new page's object must be its first buddy");
            page = new Page(shard);
            pages.put(key(handle), page);
        }
        else
        {
            assertEquals(bestFree, page.pairableFree(), context + ": " + chunks + " chunks went to a page with " +
                page.pairableFree() + " free chunks, not the best fit with " + bestFree);
            assertEquals(page.sizes[0] == 0 ? PageTable.FIRST : PageTable.LAST, buddy, context + ": buddy");
            count(page, -1);
        }
        page.handles[buddy] = handle;
        page.ids[buddy] = id;
        page.sizes[buddy] = size;
        count(page, +1);
        assertTrue(page.usedChunks() <= PageTable.CHUNKS, context + ": buddies overlap");
        liveIndex.put(handle, live.size());
        live.add(handle);
        storedBytes += size;
        ObjectPattern.fill(expected, SEED, id, size);
        allocator.write(handle, expected, 0);
        if (page.objects() == 2)
        {
            checkLayout(page);
        }
        return true;
    }

    /** First buddy at the page's start (slabs are page-aligned), last buddy's chunks ending at the page's end. */
    private void checkLayout(final Page page)
    {
        final long first = allocator.view(page.handles[0], buffer).address();
        final long last = allocator.view(page.handles[1], buffer).address();
        assertEquals(0, first % PageMemory.PAGE_SIZE,
            context + ": first buddy is not page-aligned");
        assertEquals(PageMemory.PAGE_SIZE - ((long)PageTable.chunks(page.sizes[1]) << PageTable.CHUNK_SHIFT),
            last - first, context + ": last buddy is not right-aligned in whole chunks");
    }

    private void forget(final long handle)
    {
        final int i = liveIndex.remove(handle);
        final long moved = live.removeLast();
        if (moved != handle)
        {
            live.set(i, moved);
            liveIndex.put(moved, i);
        }
        final Page page = pages.get(key(handle));
        final int buddy = ZbudHandle.buddy(handle);
        storedBytes -= page.sizes[buddy];
        count(page, -1);
        page.sizes[buddy] = 0;
        page.handles[buddy] = 0;
        count(page, +1);
        if (page.objects() == 0)
        {
            pages.remove(key(handle));
        }
    }

    private void verify(final long handle)
    {
        final Page page = pages.get(key(handle));
        final int buddy = ZbudHandle.buddy(handle);
        final int size = page.sizes[buddy];
        assertEquals(size, allocator.size(handle), context + ": size");
        buffer.fill((byte)0x5A);
        allocator.read(handle, buffer, 0);
        final long at = ObjectPattern.mismatch(buffer, expected, SEED, page.ids[buddy], size);
        if (at >= 0)
        {
            fail(context + ": object " + page.ids[buddy] + " (" + size + " bytes) differs at byte " + at);
        }
    }

    private void verifyAll()
    {
        for (final long handle : live)
        {
            verify(handle);
        }
        final AllocatorStats stats = allocator.stats();
        assertEquals(live.size(), stats.objects(), context + ": objects");
        assertEquals(storedBytes, stats.storedBytes(), context + ": stored bytes");
        assertEquals(pages.size(), stats.pagesUsed(), context + ": pages");
        assertEquals(pages.size(), memory.stats().pagesInUse(), context + ": pages taken from the page memory");
        assertEquals(pages.values().stream().filter(p -> p.objects() == 2).count(), stats.detail("buddied"),
            context + ": buddied pages");
        assertEquals(pages.values().stream().filter(p -> p.objects() == 1).count(),
            stats.detail("unbuddied"), context + ": unbuddied pages");
    }
}
