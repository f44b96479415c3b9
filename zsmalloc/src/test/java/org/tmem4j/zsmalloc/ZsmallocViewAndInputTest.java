package org.tmem4j.zsmalloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.CompactionPolicy;
import org.tmem4j.alloc.AllocatorProvider;
import org.tmem4j.alloc.ObjectPattern;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Views (copied by default; direct within a page and gathered across pages when asked), buffers that are too small
 * or read-only, and the printed class table.
 */
final class ZsmallocViewAndInputTest
{
    @Test
    void directViewsArePoolMemoryWhereTheChunksLieInARowAndGatheredElsewhere()
    {
        try (Arena arena = Arena.ofConfined(); PageMemory memory = PageMemory.withBudget(1 << 20);
            Zsmalloc allocator = Zsmalloc.builder(memory).directViews(true).shardsPerClass(1).build())
        {
            final int chunk = allocator.layout().chunkSize();
            final MemorySegment buffer = arena.allocate(4096);
            final MemorySegment scratch = arena.allocate(4096);
            final MemorySegment expected = arena.allocate(4096);
            // one class alone takes the chunks of a page in a row; two classes taking turns interleave theirs
            final int[] alone = {300};
            final int[] interleaved = {300, 460};
            int withinChunk = 0;
            int acrossInARow = 0;
            int acrossGathered = 0;
            int id = 0;
            for (final int[] sizes : new int[][] {alone, interleaved})
            {
                final long[] offsets = new long[sizes.length];
                for (int i = 0; i < 3 * chunk / sizes[0]; i++)
                {
                    final int which = i % sizes.length;
                    final int slot = allocator.layout().slotSize(allocator.layout().classOf(sizes[which]));
                    final long handle = allocator.allocate(slot);
                    ObjectPattern.fill(buffer, 3, id, slot);
                    allocator.write(handle, buffer, 0);
                    final MemorySegment view = allocator.view(handle, scratch);
                    assertTrue(view.isReadOnly());
                    assertEquals(-1, ObjectPattern.mismatch(view, expected, 3, id++, slot), "object " + i);
                    final boolean crosses = offsets[which] % chunk + slot > chunk;
                    offsets[which] += slot;
                    final boolean gathered = view.address() == scratch.address();
                    if (!crosses)
                    {
                        assertFalse(gathered, "an object within one chunk is pool memory");
                        withinChunk++;
                    }
                    else if (gathered)
                    {
                        acrossGathered++;
                    }
                    else
                    {
                        acrossInARow++;
                    }
                }
                if (sizes == alone)
                {
                    assertEquals(0, acrossGathered, "one class alone took its chunks in a row");
                }
            }
            assertTrue(withinChunk > 0 && acrossInARow > 0 && acrossGathered > 0, "the test must see every kind: " +
                withinChunk + " within a chunk, " + acrossInARow + " across chunks in a row, " + acrossGathered +
                " gathered");
        }
    }

    @Test
    void defaultViewsAreCopiesThatCompactionCannotInvalidate()
    {
        try (Arena arena = Arena.ofConfined(); PageMemory memory = PageMemory.withBudget(1 << 20);
            Zsmalloc allocator = Zsmalloc.create(memory))
        {
            final MemorySegment scratch = arena.allocate(4096);
            final long handle = allocator.allocate(100);
            allocator.write(handle, arena.allocate(100).fill((byte)7), 0);
            final MemorySegment view = allocator.view(handle, scratch);
            assertEquals(scratch.address(), view.address());
            assertEquals(100, view.byteSize());
            assertEquals((byte)7, view.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 99));
        }
    }

    @Test
    void buffersTooSmallOrReadOnlyAreRejectedWithoutDamage()
    {
        try (Arena arena = Arena.ofConfined(); PageMemory memory = PageMemory.withBudget(1 << 20);
            Zsmalloc allocator = Zsmalloc.create(memory))
        {
            final long handle = allocator.allocate(1000);
            final MemorySegment content = arena.allocate(1000).fill((byte)42);
            allocator.write(handle, content, 0);
            final MemorySegment small = arena.allocate(999);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> allocator.read(handle, small, 0)), "1000");
            assertMessage(assertThrows(IllegalArgumentException.class,
                () -> allocator.read(handle, arena.allocate(2000), 1001)), "offset 1001");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> allocator.write(handle, small, 0)), "999");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> allocator.view(handle, small)), "1000");
            assertMessage(assertThrows(IllegalArgumentException.class,
                () -> allocator.read(handle, arena.allocate(1000).asReadOnly(), 0)), "read-only");
            assertMessage(assertThrows(IllegalArgumentException.class,
                () -> allocator.read(handle, arena.allocate(1000), -1)), "offset -1");
            final MemorySegment back = arena.allocate(1000);
            allocator.read(handle, back, 0);
            assertEquals(-1, back.mismatch(content));
            assertThrows(IllegalArgumentException.class, () -> Zsmalloc.builder(null));
            assertThrows(IllegalArgumentException.class, () -> Zsmalloc.builder(memory).layout(null));
            assertThrows(IllegalArgumentException.class, () -> Zsmalloc.builder(memory).compaction(null));
            assertThrows(IllegalArgumentException.class, () -> Zsmalloc.builder(memory).shardsPerClass(0));
            assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new CompactionPolicy(101, Duration.ofSeconds(1))), "freeablePercent");
            assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new CompactionPolicy(10, Duration.ZERO)), "interval");
        }
    }

    private static void assertMessage(final IllegalArgumentException ex, final String part)
    {
        assertTrue(ex.getMessage().contains(part), "message should mention '" + part + "': " + ex.getMessage());
    }

    @Test
    void theClassTableHasTheKernelsColumnsAndTotals()
    {
        try (PageMemory memory = PageMemory.withBudget(4 << 20);
            Zsmalloc allocator = (Zsmalloc)AllocatorProvider.named("zsmalloc").create(memory))
        {
            assertInstanceOf(Zsmalloc.class, allocator);
            for (int i = 0; i < 10; i++)
            {
                allocator.allocate(1500);
            }
            final ZsmallocStats stats = allocator.classStats();
            final String table = stats.table();
            for (final String column : new String[]{"class", "size", "10%", "90%", "99%", "100%", "obj_allocated",
                "obj_used", "pages_used", "pages_per_zspage", "freeable", "Total", "pages_compacted"})
            {
                assertTrue(table.contains(column), "table lacks " + column + ":\n" + table);
            }
            final int cls = allocator.layout().classOf(1500);
            final ClassStats row = stats.classes().get(cls);
            assertEquals(10, row.objUsed());
            assertEquals(15000, row.storedBytes());
            assertEquals(allocator.layout().minimumChunks(cls, 10), row.chunksUsed());
            final int perZspage = allocator.layout().objectsPerZspage(cls);
            assertEquals((10 + perZspage - 1) / perZspage, row.zspages());
            assertTrue(table.lines().anyMatch(l -> l.trim().startsWith(cls + " ") && l.contains(" 10 ")), table);
            assertEquals(memory.stats().pagesInUse(), allocator.stats().pagesUsed());
            assertFalse(allocator.stats().details().isEmpty());
        }
    }
}
