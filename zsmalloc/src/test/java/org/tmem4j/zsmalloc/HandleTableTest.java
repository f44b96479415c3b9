package org.tmem4j.zsmalloc;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 6-byte handle entries against a model: random allocations, frees and moves over every size (1 to 4096), the
 * highest zspage id and slot a class's place bits allow, and entries reused through the free list, with every live
 * entry read back field by field, every freed one free at once and every reused one on a new generation.
 */
final class HandleTableTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int OPS = Integer.getInteger("tmem4j.ops", 1_000_000);

    /** One live entry of the model: index, generation, zspage, slot, size. */
    private record Live(int index, int generation, int zspage, int slot, int size)
    {
    }

    @ParameterizedTest(name = "{0} objects per zspage")
    @ValueSource(ints = {1, 5, 64, 4096})
    void entriesKeepTheirFieldsAndFreedOnesGoStale(final int objectsPerZspage)
    {
        final SplittableRandom random = new SplittableRandom(SEED + objectsPerZspage);
        final HandleTable table = new HandleTable(objectsPerZspage);
        assertTrue((long)table.maxZspages() * objectsPerZspage <= 1L << 27, "places exceed their 27 bits");
        final List<Live> live = new ArrayList<>();
        // the generation each index was freed at, 0 if never: a reused entry must not match its old handles
        final int[] freedAt = new int[OPS];
        for (int op = 0; op < OPS / 4; op++)
        {
            final int dice = random.nextInt(10);
            if (dice < 5 || live.isEmpty())
            {
                final int zspage = random.nextBoolean() ? table.maxZspages() - 1 : random.nextInt(table.maxZspages());
                final int slot = random.nextBoolean() ? objectsPerZspage - 1 : random.nextInt(objectsPerZspage);
                final int size = random.nextBoolean() ? (random.nextBoolean() ? 1 : 4096) : 1 + random.nextInt(4096);
                final int index = table.allocate(zspage, slot, size);
                final int generation = HandleTable.generation(table.get(index));
                assertNotEquals(freedAt[index], generation, "entry " + index + " reused with the generation its " +
                    "old handles carry; seed " + SEED);
                live.add(new Live(index, generation, zspage, slot, size));
            }
            else if (dice < 8)
            {
                final Live gone = live.remove(random.nextInt(live.size()));
                check(table, gone, "before free at op " + op);
                table.free(gone.index());
                assertEquals(0, HandleTable.size(table.get(gone.index())), "freed entry still live; seed " + SEED);
                freedAt[gone.index()] = gone.generation();
            }
            else
            {
                final int i = random.nextInt(live.size());
                final Live moved = live.get(i);
                final int zspage = random.nextInt(table.maxZspages());
                final int slot = random.nextInt(objectsPerZspage);
                table.move(moved.index(), zspage, slot);
                live.set(i, new Live(moved.index(), moved.generation(), zspage, slot, moved.size()));
            }
            if (op % 20_000 == 19_999)
            {
                for (final Live entry : live)
                {
                    check(table, entry, "at op " + op);
                }
            }
        }
        assertEquals(live.size(), table.live(), "live entries; seed " + SEED);
        assertTrue(table.footprintBytes() <= 8L * Math.max(256, table.live() * 2),
            "footprint " + table.footprintBytes() + " for " + table.live() + " live entries");
    }

    private static void check(final HandleTable table, final Live expected, final String context)
    {
        final long entry = table.get(expected.index());
        final String what = context + ", entry " + expected.index() + "; seed " + SEED;
        assertEquals(expected.size(), HandleTable.size(entry), "size " + what);
        assertEquals(expected.generation(), HandleTable.generation(entry), "generation " + what);
        assertNotEquals(0, expected.generation(), "generation 0 is never handed out: " + what);
        assertEquals(expected.zspage(), table.zspage(entry), "zspage " + what);
        assertEquals(expected.slot(), table.slot(entry), "slot " + what);
    }
}
