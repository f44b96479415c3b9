package org.tmem4j.stats;

/**
 * One counter read from a counters file.
 *
 * @param kind    its source's kind.
 * @param name    its source's name.
 * @param counter its name within the source.
 * @param value   its value.
 */
public record CounterValue(String kind, String name, String counter, long value)
{
    /**
     * {@return {@code kind/name/counter}, the counter's label in the file}
     */
    public String label()
    {
        return CountersFile.label(kind, name, counter);
    }
}
