package org.tmem4j.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The counters of one sort of component, each a {@link CounterDescription} with the function that reads its value
 * from a {@code T}: the component's stats snapshot (then one sample reads every counter from one snapshot, so they
 * are consistent with each other) or the component itself (then each counter is read live).
 * <pre>{@code
 *   static final CounterCatalog<PageMemoryStats> COUNTERS = CounterCatalog.<PageMemoryStats>builder()
 *       .gauge("pages_in_use", CounterUnit.PAGES, "pages handed out and not yet freed", PageMemoryStats::pagesInUse)
 *       .counter("slabs_released", CounterUnit.SLABS, "slabs given back to the OS", PageMemoryStats::slabsReleased)
 *       .build();
 *   CounterSource source = COUNTERS.source("memory", "zcache-1", memory::stats);
 * }</pre>
 * Adding a counter is one line here; JMX, the counters file, {@code ./tmem4j stat} and Micrometer pick it up.
 * Immutable and thread-safe (as long as the readers are).
 *
 * @param <T> what the values are read from.
 */
public final class CounterCatalog<T>
{
    private final List<CounterDescription> descriptions;
    private final List<ToLongFunction<? super T>> readers;

    private CounterCatalog(final List<CounterDescription> descriptions, final List<ToLongFunction<? super T>> readers)
    {
        this.descriptions = descriptions;
        this.readers = readers;
    }

    /**
     * {@return a builder of a catalog}
     *
     * @param <T> what the values are read from.
     */
    public static <T> Builder<T> builder()
    {
        return new Builder<>();
    }

    /**
     * {@return the counters, in the order {@link #sample} fills them}
     */
    public List<CounterDescription> descriptions()
    {
        return descriptions;
    }

    /**
     * Reads every counter.
     *
     * @param from   what to read from, or {@code null} for a component that is gone: every value reads 0.
     * @param values receives counter {@code i} at index {@code i}; at least {@code descriptions().size()} long.
     */
    public void sample(final T from, final long[] values)
    {
        if (from == null)
        {
            Arrays.fill(values, 0, readers.size(), 0L);
            return;
        }
        for (int i = 0; i < readers.size(); i++)
        {
            values[i] = readers.get(i).applyAsLong(from);
        }
    }

    /**
     * {@return every counter's value, in catalog order}
     *
     * @param from what to read from.
     */
    public Map<CounterDescription, Long> values(final T from)
    {
        final long[] values = new long[descriptions.size()];
        sample(from, values);
        final Map<CounterDescription, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++)
        {
            map.put(descriptions.get(i), values[i]);
        }
        return map;
    }

    /**
     * {@return a source of this catalog's counters, with no tags}
     *
     * @param kind     what sort of component, e.g. {@code frontend}.
     * @param name     which one.
     * @param snapshot gives what to read from on each sample (called once per sample, from any thread), or
     *                 {@code null} once the component is gone.
     * @throws IllegalArgumentException if the kind or name breaks the naming rule, or the snapshot is null.
     */
    public CounterSource source(final String kind, final String name, final Supplier<? extends T> snapshot)
    {
        return source(kind, name, Map.of(), snapshot);
    }

    /**
     * {@return a source of this catalog's counters}
     *
     * @param kind     what sort of component, e.g. {@code engine}.
     * @param name     which one.
     * @param tags     fixed facts about the component (see {@link CounterSource#tags()}); copied.
     * @param snapshot gives what to read from on each sample (called once per sample, from any thread), or
     *                 {@code null} once the component is gone.
     * @throws IllegalArgumentException if the kind, name or a tag breaks the naming rule, or the snapshot is null.
     */
    public CounterSource source(final String kind, final String name, final Map<String, String> tags,
        final Supplier<? extends T> snapshot)
    {
        CounterNames.requireValid("kind", kind);
        CounterNames.requireValid("name", name);
        if (tags == null || snapshot == null)
        {
            throw new IllegalArgumentException("source " + kind + "/" + name + " needs tags (maybe none) and a "
                + "snapshot supplier, got " + tags + ", " + snapshot);
        }
        tags.forEach((tag, value) ->
        {
            CounterNames.requireValid("tag", tag);
            CounterNames.requireValid("tag value", value);
        });
        return new CatalogCounterSource<>(kind, name, Map.copyOf(tags), this, snapshot);
    }

    /**
     * Builds a {@link CounterCatalog}.
     *
     * @param <T> what the values are read from.
     */
    public static final class Builder<T>
    {
        private final List<CounterDescription> descriptions = new ArrayList<>();
        private final List<ToLongFunction<? super T>> readers = new ArrayList<>();
        private final Set<String> names = new HashSet<>();

        private Builder()
        {
        }

        /**
         * {@return this builder, with a monotonic counter added}
         *
         * @param name        the name, unique in the catalog.
         * @param unit        what it counts.
         * @param description its meaning, one line.
         * @param reader      reads it; thread-safe and cheap.
         * @throws IllegalArgumentException if the description is invalid or the name repeated.
         */
        public Builder<T> counter(final String name, final CounterUnit unit, final String description,
            final ToLongFunction<? super T> reader)
        {
            return add(CounterDescription.counter(name, unit, description), reader);
        }

        /**
         * {@return this builder, with a gauge added}
         *
         * @param name        the name, unique in the catalog.
         * @param unit        what it counts.
         * @param description its meaning, one line.
         * @param reader      reads it; thread-safe and cheap.
         * @throws IllegalArgumentException if the description is invalid or the name repeated.
         */
        public Builder<T> gauge(final String name, final CounterUnit unit, final String description,
            final ToLongFunction<? super T> reader)
        {
            return add(CounterDescription.gauge(name, unit, description), reader);
        }

        /**
         * {@return this builder, with the counter added}
         *
         * @param description the counter.
         * @param reader      reads it; thread-safe and cheap.
         * @throws IllegalArgumentException if an argument is null or the name repeated.
         */
        public Builder<T> add(final CounterDescription description, final ToLongFunction<? super T> reader)
        {
            if (description == null || reader == null)
            {
                throw new IllegalArgumentException("a counter needs a description and a reader, got " + description
                    + ", " + reader);
            }
            if (!names.add(description.name()))
            {
                throw new IllegalArgumentException("counter '" + description.name()
                    + "' is already in this catalog; counter names must be unique within a source");
            }
            descriptions.add(description);
            readers.add(reader);
            return this;
        }

        /**
         * {@return this builder, with every counter of {@code catalog} added}
         *
         * @param catalog a catalog over the same values (or a supertype of them).
         * @throws IllegalArgumentException if a name repeats.
         */
        public Builder<T> addAll(final CounterCatalog<? super T> catalog)
        {
            for (int i = 0; i < catalog.descriptions.size(); i++)
            {
                add(catalog.descriptions.get(i), reader(catalog, i));
            }
            return this;
        }

        private static <S> ToLongFunction<S> reader(final CounterCatalog<S> catalog, final int counter)
        {
            final ToLongFunction<? super S> reader = catalog.readers.get(counter);
            return reader::applyAsLong;
        }

        /**
         * {@return the catalog}
         *
         * @throws IllegalArgumentException if no counter was added.
         */
        public CounterCatalog<T> build()
        {
            if (descriptions.isEmpty())
            {
                throw new IllegalArgumentException("a counter catalog needs at least one counter");
            }
            return new CounterCatalog<T>(List.copyOf(descriptions), List.<ToLongFunction<? super T>>copyOf(readers));
        }
    }
}
