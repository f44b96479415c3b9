package org.tmem4j.stats;

import java.util.List;

/**
 * The counters of a counters file at one moment: labels and values of one layout.
 *
 * @param layoutEpoch     the layout they belong to; changes when sources come or go.
 * @param heartbeatMs     epoch millis of the writer's last publish, read with the values.
 * @param droppedCounters counters the writer left out for lack of capacity.
 * @param counters        in file order (sources in registration order, each source's counters in its order).
 */
public record CountersSnapshot(long layoutEpoch, long heartbeatMs, int droppedCounters, List<CounterValue> counters)
{
    /**
     * Creates a snapshot; the canonical constructor, which copies {@code counters}.
     *
     * @param layoutEpoch     the layout.
     * @param heartbeatMs     the writer's last publish.
     * @param droppedCounters counters left out.
     * @param counters        the counters; copied.
     */
    public CountersSnapshot
    {
        counters = List.copyOf(counters);
    }
}
