package org.tmem4j.stats;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A source that samples its {@link CounterCatalog} from one snapshot per sample; made by
 * {@link CounterCatalog#source} and {@link CounterSource#builder}.
 *
 * @param <T> what the values are read from.
 */
final class CatalogCounterSource<T> implements CounterSource
{
    private final String kind;
    private final String name;
    private final Map<String, String> tags;
    private final CounterCatalog<T> catalog;
    private final Supplier<? extends T> snapshot;

    CatalogCounterSource(final String kind, final String name, final Map<String, String> tags,
        final CounterCatalog<T> catalog, final Supplier<? extends T> snapshot)
    {
        this.kind = kind;
        this.name = name;
        this.tags = tags;
        this.catalog = catalog;
        this.snapshot = snapshot;
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
    public Map<String, String> tags()
    {
        return tags;
    }

    @Override
    public List<CounterDescription> descriptions()
    {
        return catalog.descriptions();
    }

    @Override
    public void sample(final long[] values)
    {
        catalog.sample(snapshot.get(), values);
    }

    @Override
    public String toString()
    {
        return kind + "/" + name + catalog.descriptions().stream().map(CounterDescription::name).toList();
    }
}
