package org.tmem4j.frontend.balloon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.stats.CounterDescription;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.zcache.Zcache;

/**
 * The controller's moves on a real Zcache, for readings given one look at a time: down to the room a cgroup limit
 * leaves, halving under PSI or heap pressure, never below the floor, and back up an eighth of the gap per look.
 */
class SelfballoonTest
{
    private static final long MIB = 1 << 20;

    private MemoryReading reading = new MemoryReading(0, MemoryReading.NO_LIMIT, 0, 0, 1024 * MIB);

    @Test
    void followsTheLimitThePressureAndComesBack()
    {
        final FrontendsConfig config = FrontendsConfig.builder().selfballoonFloorBytes(8 * MIB)
            .selfballoonReserveBytes(16 * MIB).selfballoonInterval(java.time.Duration.ofDays(1)).build();
        try (Zcache zcache = Zcache.builder().allocator("zsmalloc").budgetBytes(256 * MIB).build();
            Selfballoon balloon = Selfballoon.start(zcache, config, () -> reading))
        {
            // no limit and no pressure: nothing to move (the timer looks first after a day)
            assertEquals(256 * MIB, balloon.tick());
            // a 200 MiB limit with 150 MiB used besides zcache leaves 200 - 16 - 150 = 34 MiB: there at once
            reading = new MemoryReading(0, 200 * MIB, 150 * MIB, 0, 1024 * MIB);
            assertEquals(34 * MIB, balloon.tick());
            assertEquals(34 * MIB, balloon.target());
            // PSI above 10 %: halve, down to the floor
            reading = new MemoryReading(25.5, MemoryReading.NO_LIMIT, 0, 0, 1024 * MIB);
            assertEquals(17 * MIB, balloon.tick());
            assertEquals(8 * MIB + MIB / 2, balloon.tick());
            assertEquals(8 * MIB, balloon.tick());
            assertEquals(8 * MIB, balloon.tick());
            // a heap full after GC is pressure too
            reading = new MemoryReading(0, MemoryReading.NO_LIMIT, 0, 950 * MIB, 1024 * MIB);
            assertEquals(8 * MIB, balloon.tick());
            // calm: up an eighth of the gap per look, to the configured budget and no further
            reading = new MemoryReading(0, MemoryReading.NO_LIMIT, 0, 10 * MIB, 1024 * MIB);
            assertEquals(8 * MIB + 31 * MIB, balloon.tick());
            long budget = 0;
            for (int i = 0; i < 200; i++)
            {
                budget = balloon.tick();
            }
            assertEquals(256 * MIB, budget);
            assertEquals(256 * MIB, zcache.budgetBytes());
            final CounterSource counters = balloon.counters();
            final long[] values = new long[counters.descriptions().size()];
            counters.sample(values);
            assertEquals(List.of("target_bytes", "budget_bytes", "moves_down", "moves_up", "pressure_looks"),
                counters.descriptions().stream().map(CounterDescription::name).toList());
            assertEquals(256 * MIB, values[0]);
            assertEquals(4, values[2]);
            assertTrue(values[3] > 10, "moves up " + values[3]);
            assertEquals(5, values[4]);
        }
    }

    @Test
    void parsesWhatTheKernelWrites()
    {
        assertEquals(1.23, MemorySignals.parsePressure("some avg10=1.23 avg60=0.50 avg300=0.10 total=12345"));
        assertEquals(MemoryReading.NO_LIMIT, MemorySignals.parseLimit("max"));
        assertEquals(MemoryReading.NO_LIMIT, MemorySignals.parseLimit("9223372036854771712"));
        assertEquals(200 * MIB, MemorySignals.parseLimit(Long.toString(200 * MIB)));
        final MemoryReading here = MemorySignals.ofThisJvm().read();
        assertTrue(here.pressurePercent() >= 0 && here.pressurePercent() <= 100, here.toString());
        assertTrue(here.heapMaxBytes() > 0, here.toString());
        assertTrue(!here.hasLimit() || here.usageBytes() > 0, here.toString());
    }
}
