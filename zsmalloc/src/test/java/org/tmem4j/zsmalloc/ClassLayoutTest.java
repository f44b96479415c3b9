package org.tmem4j.zsmalloc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class ClassLayoutTest
{
    @Test
    void everySizeGetsTheSmallestSlotThatHoldsIt()
    {
        for (final ClassLayout layout : new ClassLayout[]{ClassLayout.DEFAULT, ClassLayout.of(8, 32, 512),
            ClassLayout.of(16, 8, 4096), ClassLayout.of(48, 4, 2048)})
        {
            for (int size = 1; size <= 4096; size++)
            {
                final int cls = layout.classOf(size);
                assertTrue(layout.slotSize(cls) >= size, layout + " size " + size);
                assertTrue(cls == 0 || layout.slotSize(cls - 1) < size, layout + " size " + size);
            }
            assertEquals(4096, layout.slotSize(layout.classCount() - 1));
            assertEquals(1, layout.pagesPerZspage(layout.classCount() - 1), "the huge class is one page");
        }
    }

    @Test
    void eachClassHasTheLeastTailAndEqualNeighboursAreMerged()
    {
        final ClassLayout layout = ClassLayout.of(16, 16, 1024);
        for (int c = 0; c < layout.classCount(); c++)
        {
            final int size = layout.slotSize(c);
            final int k = layout.pagesPerZspage(c);
            assertEquals(k * 4096 / size, layout.objectsPerZspage(c));
            final double waste = (double)(k * 4096 % size) / (k * 4096);
            for (int other = 1; other <= 16 && other * 4096 / size <= ClassLayout.MAX_OBJECTS_PER_ZSPAGE; other++)
            {
                assertTrue(waste <= (double)(other * 4096 % size) / (other * 4096) + 1e-12,
                    "class " + size + " picks k=" + k + " but k=" + other + " wastes less");
            }
            if (c > 0)
            {
                assertNotEquals(layout.pagesPerZspage(c - 1) + "/" + layout.objectsPerZspage(c - 1),
                    k + "/" + layout.objectsPerZspage(c), "neighbours with equal (k, objects) must be merged");
            }
        }
    }

    @Test
    void minimumChunksCountFullZspagesAndTheTouchedChunksOfTheRest()
    {
        final ClassLayout layout = ClassLayout.DEFAULT;
        final int cls = layout.classOf(1500);
        final int n = layout.objectsPerZspage(cls);
        final int chunks = layout.chunksPerZspage(cls);
        final int size = layout.slotSize(cls);
        final int chunk = layout.chunkSize();
        assertEquals((n * size + chunk - 1) / chunk, chunks);
        assertTrue(chunks <= layout.pagesPerZspage(cls) * 4096 / chunk);
        assertEquals(0, layout.minimumChunks(cls, 0));
        assertEquals((size + chunk - 1) / chunk, layout.minimumChunks(cls, 1));
        assertEquals(3L * chunks, layout.minimumChunks(cls, 3L * n));
        assertEquals(3L * chunks + (5L * size + chunk - 1) / chunk, layout.minimumChunks(cls, 3L * n + 5));
    }

    @Test
    void badSettingsAreRejectedWithTheAllowedRange()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClassLayout.of(12, 8, 1024)).getMessage()
            .contains("multiple of 8"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClassLayout.of(16, 0, 1024)).getMessage()
            .contains("1 to 64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClassLayout.of(16, 65, 1024)).getMessage()
            .contains("was 65"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClassLayout.of(16, 8, 1000)).getMessage()
            .contains("512, 1024, 2048 or 4096"));
    }
}
