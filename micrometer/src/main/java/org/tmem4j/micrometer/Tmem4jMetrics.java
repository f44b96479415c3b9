package org.tmem4j.micrometer;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.tmem4j.stats.CounterDescription;
import org.tmem4j.stats.CounterKind;
import org.tmem4j.stats.CounterRegistry;
import org.tmem4j.stats.CounterSource;

/**
 * Binds tmem4j's described counters to Micrometer, as Caffeine's {@code CaffeineCacheMetrics} binds a cache: every
 * {@link CounterKind#COUNTER counter} becomes a {@link FunctionCounter} and every {@link CounterKind#GAUGE gauge} a
 * {@link Gauge}, with the counter's meaning as description and its unit as base unit.
 * <pre>{@code
 *   Tmem4jMetrics.monitor(meterRegistry, zcache.counters(), "app", "orders");        // a fixed set of sources
 *   Tmem4jMetrics metrics = Tmem4jMetrics.following(publication.registry(), Tags.empty());
 *   metrics.bindTo(meterRegistry);                                                   // sources as they come and go
 * }</pre>
 * <b>Names and tags.</b> A counter {@code c} of a source of kind {@code k} is the meter {@code tmem4j.k.c} with
 * underscores turned to dots ({@code pers_ate_eph} of the engine is {@code tmem4j.engine.pers.ate.eph}; Prometheus
 * shows it as {@code tmem4j_engine_pers_ate_eph_pages_total}). Its tags are {@code name} (the source's name, e.g.
 * the engine's), the source's own {@link CounterSource#tags() tags} ({@code allocator}, {@code codec},
 * {@code codec_level} for an engine's sources) and the tags given here.
 * <p>
 * <b>Reading.</b> Each meter read samples its source ({@link CounterSource#sample}); nothing is read on the engine's
 * put and get paths. A source whose component is closed reads 0.
 * <p>
 * <b>Lifetime.</b> A binder made by {@link #following(CounterRegistry, Iterable)} adds the meters of every source
 * registered later and removes those of every source unregistered; {@link #close()} removes every meter it added
 * from every meter registry it was bound to. Thread-safe.
 */
public final class Tmem4jMetrics implements MeterBinder, AutoCloseable
{
    /** First part of every meter name. */
    public static final String PREFIX = "tmem4j";
    /** Tag holding the source's name. */
    public static final String NAME_TAG = "name";

    private final Tags tags;
    private final CounterRegistry followed;
    private final Set<CounterSource> sources = new LinkedHashSet<>();
    private final List<MeterRegistry> bound = new ArrayList<>();
    private final Map<CounterSource, List<Meter>> meters = new IdentityHashMap<>();
    private final CounterRegistry.Listener listener = new CounterRegistry.Listener()
    {
        @Override
        public void registered(final CounterSource source)
        {
            add(source);
        }

        @Override
        public void unregistered(final CounterSource source)
        {
            remove(source);
        }
    };
    private boolean closed;

    private Tmem4jMetrics(final Iterable<? extends CounterSource> sources, final CounterRegistry followed,
        final Iterable<Tag> tags)
    {
        if (tags == null)
        {
            throw new IllegalArgumentException("tags are null; give Tags.empty() for none");
        }
        this.tags = Tags.of(tags);
        this.followed = followed;
        if (sources != null)
        {
            for (final CounterSource source : sources)
            {
                if (source == null)
                {
                    throw new IllegalArgumentException("a counter source is null");
                }
                this.sources.add(source);
            }
        }
    }

    /**
     * Makes a binder of a fixed set of sources.
     *
     * @param sources the counter sources, e.g. {@code zcache.counters()} or {@code cleancache.counters()}.
     * @param tags    tags added to every meter.
     * @return a binder of those sources.
     * @throws IllegalArgumentException if an argument or a source is null.
     */
    public static Tmem4jMetrics of(final Iterable<? extends CounterSource> sources, final Iterable<Tag> tags)
    {
        if (sources == null)
        {
            throw new IllegalArgumentException("sources are null");
        }
        return new Tmem4jMetrics(sources, null, tags);
    }

    /**
     * Makes a binder that follows a registry: meters come and go with its sources.
     *
     * @param registry a counter registry, e.g. {@code CounterPublication.registry()}.
     * @param tags     tags added to every meter.
     * @return a binder of the registry's sources, now and as they come and go, until {@link #close()}.
     * @throws IllegalArgumentException if an argument is null.
     */
    public static Tmem4jMetrics following(final CounterRegistry registry, final Iterable<Tag> tags)
    {
        if (registry == null)
        {
            throw new IllegalArgumentException("counter registry is null");
        }
        return new Tmem4jMetrics(null, registry, tags);
    }

    /**
     * Binds sources to a meter registry, the way {@code CaffeineCacheMetrics.monitor} binds a cache.
     *
     * @param meters  the meter registry.
     * @param sources the counter sources.
     * @param tags    tags added to every meter, as key-value pairs.
     * @return the binder, whose {@link #close()} removes the meters again.
     * @throws IllegalArgumentException if an argument is null or the tags are not pairs.
     */
    public static Tmem4jMetrics monitor(final MeterRegistry meters, final Iterable<? extends CounterSource> sources,
        final String... tags)
    {
        if (tags == null || tags.length % 2 != 0)
        {
            throw new IllegalArgumentException("tags must be key-value pairs, got "
                + (tags == null ? "null" : tags.length + " strings"));
        }
        final Tmem4jMetrics metrics = of(sources, Tags.of(tags));
        metrics.bindTo(meters);
        return metrics;
    }

    /**
     * Names a counter's meter.
     *
     * @param kind    a source's kind.
     * @param counter a counter's name.
     * @return the name of the counter's meter: {@code tmem4j.<kind>.<counter>}, underscores turned to dots.
     */
    public static String meterName(final String kind, final String counter)
    {
        return (PREFIX + "." + kind + "." + counter).replace('_', '.');
    }

    @Override
    public void bindTo(final MeterRegistry registry)
    {
        if (registry == null)
        {
            throw new IllegalArgumentException("meter registry is null");
        }
        final boolean first;
        synchronized (this)
        {
            if (closed)
            {
                throw new IllegalStateException("these tmem4j metrics are closed; make new ones to bind again");
            }
            first = bound.isEmpty();
            bound.add(registry);
            for (final CounterSource source : sources)
            {
                register(source, registry);
            }
        }
        if (first && followed != null)
        {
            // tells of every source registered so far, then of each change, on the changing thread
            followed.addListener(listener);
        }
    }

    /**
     * Removes every meter this binder added, from every meter registry it was bound to, and stops following the
     * counter registry. Idempotent.
     */
    @Override
    public void close()
    {
        if (followed != null)
        {
            followed.removeListener(listener);
        }
        synchronized (this)
        {
            closed = true;
            for (final CounterSource source : List.copyOf(meters.keySet()))
            {
                remove(source);
            }
            sources.clear();
        }
    }

    private synchronized void add(final CounterSource source)
    {
        if (!closed && sources.add(source))
        {
            for (final MeterRegistry registry : bound)
            {
                register(source, registry);
            }
        }
    }

    private synchronized void remove(final CounterSource source)
    {
        sources.remove(source);
        final List<Meter> added = meters.remove(source);
        if (added != null)
        {
            for (final Meter meter : added)
            {
                for (final MeterRegistry registry : bound)
                {
                    registry.remove(meter);
                }
            }
        }
    }

    private void register(final CounterSource source, final MeterRegistry registry)
    {
        final SampledSource sampled = new SampledSource(source);
        final Tags sourceTags = Tags.of(NAME_TAG, source.name()).and(Tags.of(source.tags().entrySet().stream()
            .map(tag -> Tag.of(tag.getKey(), tag.getValue())).toList())).and(tags);
        final List<CounterDescription> descriptions = source.descriptions();
        final List<Meter> added = meters.computeIfAbsent(source, s -> new ArrayList<>());
        for (int i = 0; i < descriptions.size(); i++)
        {
            final CounterDescription counter = descriptions.get(i);
            final int index = i;
            final String name = meterName(source.kind(), counter.name());
            if (counter.kind() == CounterKind.COUNTER)
            {
                // the function holds the sampled source strongly: Micrometer keeps only a weak reference to the object
                added.add(FunctionCounter.builder(name, sampled, ignored -> sampled.value(index))
                    .description(counter.description())
                    .baseUnit(counter.unit().symbol())
                    .tags(sourceTags)
                    .register(registry));
            }
            else
            {
                added.add(Gauge.builder(name, sampled, ignored -> sampled.value(index))
                    .description(counter.description())
                    .baseUnit(counter.unit().symbol())
                    .tags(sourceTags)
                    .strongReference(true)
                    .register(registry));
            }
        }
    }

    /** A source with the array its samples go to; each meter read takes one sample. */
    private static final class SampledSource
    {
        private final CounterSource source;
        private final long[] values;

        SampledSource(final CounterSource source)
        {
            this.source = source;
            this.values = new long[source.descriptions().size()];
        }

        synchronized double value(final int index)
        {
            source.sample(values);
            return values[index];
        }
    }
}
