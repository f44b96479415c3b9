package org.tmem4j.stats;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * A source whose counters are read one by one from suppliers; made by {@link CounterSource#builder(String, String)}.
 */
final class SuppliedCounterSource implements CounterSource
{
    private final String kind;
    private final String name;
    private final List<String> names;
    private final LongSupplier[] suppliers;

    SuppliedCounterSource(
        final String kind, final String name, final List<String> names, final LongSupplier[] suppliers)
    {
        this.kind = kind;
        this.name = name;
        this.names = names;
        this.suppliers = suppliers;
    }

    @Override
    public String kind()
    {
        return kind;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public List<String> counterNames()
    {
        return names;
    }

    @Override
    public void sample(final long[] values)
    {
        final LongSupplier[] suppliers = this.suppliers;
        for (int i = 0; i < suppliers.length; i++)
        {
            values[i] = suppliers[i].getAsLong();
        }
    }

    @Override
    public String toString()
    {
        return kind + "/" + name + names;
    }
}
