package org.tmem4j.stats;

import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A component's described long counters, sampled on demand: what an engine, allocator or frontend gives (usually
 * made from a {@link CounterCatalog}, or with {@link #builder(String, String)}) to show its counters over JMX, in the
 * counters file and in Micrometer.
 * <p>
 * A source is identified by its {@link #kind()} (what sort of component: {@code engine}, {@code allocator},
 * {@code frontend}, {@code memory}, ...) and its {@link #name()} (which one: {@code zcache-1}, {@code cleancache}),
 * and may carry {@link #tags()} that describe it further (its allocator, its codec). Its counters are fixed for its
 * lifetime; a component whose set of counters changes registers a new source. Kinds, names and counter names are
 * made of {@code [A-Za-z0-9_.-]} so they fit a file label, a JMX object name and a shell alike.
 * <p>
 * {@link #sample(long[])} fills a caller-owned array, so a publisher that keeps one array per source samples without
 * allocating the array. It may be called from any thread, concurrently (the publisher and JMX clients), and must be
 * cheap: it runs every publish interval. A component that keeps its counters under a lock takes its snapshot under
 * one acquisition and copies it out, so the values of one sample are consistent with each other.
 */
public interface CounterSource
{
    /**
     * {@return what sort of component this is, e.g. {@code allocator}}
     */
    String kind();

    /**
     * {@return which component of its kind this is, e.g. {@code zcache-1}}
     */
    String name();

    /**
     * {@return what each counter is, in the order {@link #sample(long[])} fills them; the same on every call}
     */
    List<CounterDescription> descriptions();

    /**
     * {@return fixed facts about the component, as tag names to values (e.g. {@code allocator=zsmalloc},
     * {@code codec=lz4}), for monitoring systems that tag their series; none by default. Names and values follow the
     * counter naming rule}
     */
    default Map<String, String> tags()
    {
        return Map.of();
    }

    /**
     * Reads the counters now.
     *
     * @param values an array of at least {@code descriptions().size()} elements; element {@code i} receives the
     *               value of counter {@code descriptions().get(i)}.
     */
    void sample(long[] values);

    /**
     * {@return a builder of a source whose counters are each read from a {@link LongSupplier}, for components whose
     * counters are independent fields or adders (no consistency between counters is implied)}
     *
     * @param kind what sort of component.
     * @param name which one.
     */
    static Builder builder(final String kind, final String name)
    {
        return new Builder(kind, name);
    }

    /**
     * Builds a source of counters each read from its own {@link LongSupplier}.
     */
    final class Builder
    {
        private final String kind;
        private final String name;
        private final CounterCatalog.Builder<Object> catalog = CounterCatalog.builder();
        private int counters;

        private Builder(final String kind, final String name)
        {
            this.kind = CounterNames.requireValid("kind", kind);
            this.name = CounterNames.requireValid("name", name);
        }

        /**
         * {@return this builder, with a monotonic counter added}
         *
         * @param counter     the counter's name, unique within the source.
         * @param unit        what it counts.
         * @param description its meaning, one line.
         * @param value       reads the counter's current value; thread-safe and cheap.
         * @throws IllegalArgumentException if the description is invalid, the name already added or value null.
         */
        public Builder counter(final String counter, final CounterUnit unit, final String description,
            final LongSupplier value)
        {
            return add(CounterDescription.counter(counter, unit, description), value);
        }

        /**
         * {@return this builder, with a gauge added}
         *
         * @param counter     the gauge's name, unique within the source.
         * @param unit        what it counts.
         * @param description its meaning, one line.
         * @param value       reads the gauge's current value; thread-safe and cheap.
         * @throws IllegalArgumentException if the description is invalid, the name already added or value null.
         */
        public Builder gauge(final String counter, final CounterUnit unit, final String description,
            final LongSupplier value)
        {
            return add(CounterDescription.gauge(counter, unit, description), value);
        }

        private Builder add(final CounterDescription description, final LongSupplier value)
        {
            if (value == null)
            {
                throw new IllegalArgumentException("counter '" + description.name() + "' of " + kind + "/" + name
                    + " needs a value supplier, got null");
            }
            catalog.add(description, ignored -> value.getAsLong());
            counters++;
            return this;
        }

        /**
         * {@return the source}
         *
         * @throws IllegalArgumentException if no counter was added.
         */
        public CounterSource build()
        {
            if (counters == 0)
            {
                throw new IllegalArgumentException("source " + kind + "/" + name + " has no counters; add at least one");
            }
            // each counter reads its own supplier: the snapshot is only a token meaning the source is there
            return catalog.build().source(kind, name, Map.of(), () -> Boolean.TRUE);
        }
    }
}
