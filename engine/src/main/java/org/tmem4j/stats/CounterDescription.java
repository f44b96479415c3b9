package org.tmem4j.stats;

/**
 * What one counter is: its name (the kernel's name where the kernel has the counter, e.g. {@code pers_ate_eph}),
 * whether it is a monotonic counter or a gauge, its unit, and a one-line meaning for people. JMX attributes and their
 * descriptors, the counters file, {@code ./tmem4j stat}, the Micrometer binder and the README's table are all made
 * from these.
 *
 * @param name        {@code [A-Za-z0-9_.-]+}, unique within its source.
 * @param kind        counter or gauge.
 * @param unit        what the value counts.
 * @param description one line of printable ASCII, at most {@link #MAX_DESCRIPTION_LENGTH} characters.
 */
public record CounterDescription(String name, CounterKind kind, CounterUnit unit, String description)
{
    /** Longest description: what fits a counters-file metadata record. */
    public static final int MAX_DESCRIPTION_LENGTH = CountersFile.MAX_DESCRIPTION_LENGTH;

    /**
     * Creates a description; the canonical constructor, which checks every component.
     *
     * @param name        the name.
     * @param kind        counter or gauge.
     * @param unit        the unit.
     * @param description the meaning.
     * @throws IllegalArgumentException if the name breaks the naming rule, kind or unit is null, or the description
     *                                  is empty, too long or not printable ASCII.
     */
    public CounterDescription
    {
        CounterNames.requireValid("counter", name);
        if (kind == null || unit == null)
        {
            throw new IllegalArgumentException("counter '" + name + "' needs a kind and a unit, got " + kind + ", "
                + unit);
        }
        if (description == null || description.isBlank() || description.length() > MAX_DESCRIPTION_LENGTH
            || !description.chars().allMatch(c -> c >= 0x20 && c < 0x7F))
        {
            throw new IllegalArgumentException("counter '" + name + "' needs a description of 1 to "
                + MAX_DESCRIPTION_LENGTH + " printable ASCII characters on one line, got "
                + (description == null ? "null" : "'" + description + "'"));
        }
    }

    /**
     * {@return a monotonic counter's description}
     *
     * @param name        the name.
     * @param unit        the unit.
     * @param description the meaning.
     */
    public static CounterDescription counter(final String name, final CounterUnit unit, final String description)
    {
        return new CounterDescription(name, CounterKind.COUNTER, unit, description);
    }

    /**
     * {@return a gauge's description}
     *
     * @param name        the name.
     * @param unit        the unit.
     * @param description the meaning.
     */
    public static CounterDescription gauge(final String name, final CounterUnit unit, final String description)
    {
        return new CounterDescription(name, CounterKind.GAUGE, unit, description);
    }
}
