package org.tmem4j.hardening;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tmem4j.stats.CounterDescription;
import org.tmem4j.stats.CounterSource;

/**
 * Reads a counter source into a name-to-value map, for tests that check counters add up.
 */
final class CounterSample
{
    private CounterSample()
    {
    }

    static Map<String, Long> of(final CounterSource source)
    {
        final List<String> names = source.descriptions().stream().map(CounterDescription::name).toList();
        final long[] values = new long[names.size()];
        source.sample(values);
        final Map<String, Long> sample = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++)
        {
            sample.put(names.get(i), values[i]);
        }
        return sample;
    }
}
