package org.tmem4j.frontend;

import org.tmem4j.stats.CounterSource;

/**
 * Reads one counter of a source by name, for tests that check what a component counted.
 */
public final class CounterValues
{
    private CounterValues()
    {
    }

    /**
     * @return the counter's value now.
     * @throws IllegalArgumentException if the source has no counter of that name.
     */
    public static long read(final CounterSource source, final String name)
    {
        final long[] values = new long[source.descriptions().size()];
        source.sample(values);
        for (int i = 0; i < values.length; i++)
        {
            if (source.descriptions().get(i).name().equals(name))
            {
                return values[i];
            }
        }
        throw new IllegalArgumentException("no counter " + name + " in " + source.kind() + "/" + source.name());
    }

    /**
     * @return every counter of the source as {@code name=value} pairs, for an assertion's message.
     */
    public static String describe(final CounterSource source)
    {
        final long[] values = new long[source.descriptions().size()];
        source.sample(values);
        final StringBuilder text = new StringBuilder(source.kind()).append('/').append(source.name()).append(':');
        for (int i = 0; i < values.length; i++)
        {
            text.append(' ').append(source.descriptions().get(i).name()).append('=').append(values[i]);
        }
        return text.toString();
    }
}
