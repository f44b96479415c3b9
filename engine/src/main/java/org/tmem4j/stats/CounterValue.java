package org.tmem4j.stats;

/**
 * One counter read from a counters file, with what it is.
 *
 * @param kind        its source's kind.
 * @param name        its source's name.
 * @param description the counter: its name, kind, unit and meaning.
 * @param value       its value.
 */
public record CounterValue(String kind, String name, CounterDescription description, long value)
{
    /**
     * {@return the counter's name within its source}
     */
    public String counter()
    {
        return description.name();
    }

    /**
     * {@return {@code kind/name/counter}, the counter's label in the file}
     */
    public String label()
    {
        return CountersFile.label(kind, name, description.name());
    }
}
