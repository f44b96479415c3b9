package org.tmem4j.stats;

/**
 * What a counter's value counts, always in a base unit (bytes, never KiB; single pages, never thousands), so that
 * a monitoring system can scale and label it. The {@link #symbol()} is what JMX descriptors ({@code units}), the
 * counters file and Micrometer's base unit show.
 */
public enum CounterUnit
{
    /** Pages: 4 KiB page-memory pages, or stored pages of their pool's page size. */
    PAGES("pages"),
    /** Bytes. */
    BYTES("bytes"),
    /** Calls of an operation (puts, gets, loads, stores, invalidations). */
    OPERATIONS("operations"),
    /** Events that are not calls (a compaction that stalled). */
    EVENTS("events"),
    /** Objects: an allocator's (compressed values and their parts) or tmem's (a file's or swap area's pages). */
    OBJECTS("objects"),
    /** zsmalloc chunks: the fixed-size pieces its size classes carve pages into. */
    CHUNKS("chunks"),
    /** zsmalloc zspages: the page groups of one size class. */
    ZSPAGES("zspages"),
    /** zsmalloc size classes. */
    CLASSES("classes"),
    /** Page-memory slabs: the large mappings pages are cut from. */
    SLABS("slabs"),
    /** Backend pools (a cleancache filesystem's pool). */
    POOLS("pools"),
    /** Swap areas. */
    AREAS("areas"),
    /** Microseconds: a latency (a percentile of a histogram, not a sum). */
    MICROSECONDS("microseconds");

    private final String symbol;

    CounterUnit(final String symbol)
    {
        this.symbol = symbol;
    }

    /**
     * {@return the unit's lower-case plural name, e.g. {@code bytes}: the JMX descriptor field {@code units} and a
     * Micrometer base unit}
     */
    public String symbol()
    {
        return symbol;
    }

    /**
     * {@return the unit}
     *
     * @param symbol a unit's {@link #symbol()}.
     * @throws IllegalArgumentException if no unit has that symbol.
     */
    public static CounterUnit ofSymbol(final String symbol)
    {
        for (final CounterUnit unit : values())
        {
            if (unit.symbol.equals(symbol))
            {
                return unit;
            }
        }
        throw new IllegalArgumentException("unknown counter unit '" + symbol + "'");
    }
}
