package org.tmem4j.stats;

/**
 * Whether a counter only grows or goes up and down: what a monitoring system needs to know to show a rate or a
 * level. The {@link #label()} is what JMX descriptors ({@code metricType}), the counters file and
 * {@code ./tmem4j stat --describe} show.
 */
public enum CounterKind
{
    /** Monotonic: counts events since the component was made; a reader shows its rate. */
    COUNTER("counter"),
    /** A level at the time it is read (pages stored now, a budget); a reader shows its value. */
    GAUGE("gauge");

    private final String label;

    CounterKind(final String label)
    {
        this.label = label;
    }

    /**
     * {@return {@code counter} or {@code gauge}, the values of the JMX descriptor field {@code metricType}}
     */
    public String label()
    {
        return label;
    }

    /**
     * {@return the kind}
     *
     * @param label a kind's {@link #label()}.
     * @throws IllegalArgumentException if no kind has that label.
     */
    public static CounterKind ofLabel(final String label)
    {
        for (final CounterKind kind : values())
        {
            if (kind.label.equals(label))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown counter kind '" + label + "'; use counter or gauge");
    }
}
