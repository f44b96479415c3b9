package org.tmem4j.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A component's named long counters, sampled on demand: what an engine, allocator or frontend implements (or builds
 * with {@link #builder(String, String)}) to show its counters over JMX and in the counters file.
 * <p>
 * A source is identified by its {@link #kind()} (what sort of component: {@code engine}, {@code allocator},
 * {@code frontend}, {@code memory}, ...) and its {@link #name()} (which one: {@code zsmalloc}, {@code pool-3}).
 * Its counter names are fixed for its lifetime; a component whose set of counters changes registers a new source.
 * Kinds, names and counter names are made of {@code [A-Za-z0-9_.-]} so they fit a file label, a JMX object name and
 * a shell alike.
 * <p>
 * {@link #sample(long[])} fills a caller-owned array, so a publisher that keeps one array per source samples without
 * allocating. It may be called from any thread, concurrently (the publisher and JMX clients), and must be cheap: it
 * runs every publish interval. A component that keeps its counters under a lock takes its snapshot under one
 * acquisition and copies it out, so the values of one sample are consistent with each other.
 */
public interface CounterSource
{
    /**
     * {@return what sort of component this is, e.g. {@code allocator}}
     */
    String kind();

    /**
     * {@return which component of its kind this is, e.g. {@code zsmalloc}}
     */
    String name();

    /**
     * {@return the names of the counters, in the order {@link #sample(long[])} fills them; the same on every call}
     */
    List<String> counterNames();

    /**
     * Reads the counters now.
     *
     * @param values an array of at least {@code counterNames().size()} elements; element {@code i} receives the
     *               value of counter {@code counterNames().get(i)}.
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
        private final List<String> names = new ArrayList<>();
        private final List<LongSupplier> suppliers = new ArrayList<>();

        private Builder(final String kind, final String name)
        {
            this.kind = CounterNames.requireValid("kind", kind);
            this.name = CounterNames.requireValid("name", name);
        }

        /**
         * {@return this builder}
         *
         * @param counter the counter's name, unique within the source.
         * @param value   reads the counter's current value; thread-safe and cheap.
         * @throws IllegalArgumentException if the name is invalid or already added.
         */
        public Builder counter(final String counter, final LongSupplier value)
        {
            CounterNames.requireValid("counter", counter);
            if (value == null)
            {
                throw new IllegalArgumentException("counter '" + counter + "' of " + kind + "/" + name
                    + " needs a value supplier, got null");
            }
            if (names.contains(counter))
            {
                throw new IllegalArgumentException("counter '" + counter + "' of " + kind + "/" + name
                    + " is already added; counter names must be unique within a source");
            }
            names.add(counter);
            suppliers.add(value);
            return this;
        }

        /**
         * {@return the source}
         *
         * @throws IllegalArgumentException if no counter was added.
         */
        public CounterSource build()
        {
            if (names.isEmpty())
            {
                throw new IllegalArgumentException(
                    "source " + kind + "/" + name + " has no counters; add at least one");
            }
            return new SuppliedCounterSource(kind, name, List.copyOf(names), suppliers.toArray(new LongSupplier[0]));
        }
    }
}
