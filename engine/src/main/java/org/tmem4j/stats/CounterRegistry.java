package org.tmem4j.stats;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The counter sources of one engine: components register here, publishers ({@link CountersFilePublisher},
 * {@link JmxCounterPublisher}) read from here.
 * <p>
 * Registration checks a source once (valid, unique names; labels that fit the counters file) and captures its
 * counter descriptions, so publishers never call {@link CounterSource#descriptions()} again. Each change bumps the
 * {@link #generation()}, which the counters-file publisher compares on every tick to know when to rewrite the
 * file's layout; reading the current sources costs one volatile load and allocates nothing.
 * <p>
 * Thread-safe. Changes are serialized, and listeners hear them in order, on the changing thread.
 */
public final class CounterRegistry
{
    private static final System.Logger LOGGER = System.getLogger(CounterRegistry.class.getName());

    /**
     * Hears sources come and go; {@link JmxCounterPublisher} is one.
     */
    public interface Listener
    {
        /**
         * Called after a source is registered.
         *
         * @param source a source just registered.
         */
        void registered(CounterSource source);

        /**
         * Called after a source is unregistered.
         *
         * @param source a source just unregistered.
         */
        void unregistered(CounterSource source);
    }

    /**
     * The registered sources at one generation.
     *
     * @param generation bumped by every registration and unregistration.
     * @param sources    in registration order.
     */
    record State(long generation, List<RegisteredSource> sources)
    {
    }

    /**
     * A registered source with its counter names as they were at registration.
     *
     * @param source       the source.
     * @param descriptions its counters.
     */
    record RegisteredSource(CounterSource source, List<CounterDescription> descriptions)
    {
        String label(final int counter)
        {
            return CountersFile.label(source.kind(), source.name(), descriptions.get(counter).name());
        }
    }

    private final Object lock = new Object();
    private final List<Listener> listeners = new ArrayList<>();
    private volatile State state = new State(0, List.of());

    /**
     * Creates a registry with no sources and no listeners.
     */
    public CounterRegistry()
    {
    }

    /**
     * Registers a source.
     *
     * @param source the source; its kind and name must not be registered already.
     * @throws IllegalArgumentException if a kind, name or counter name is invalid or repeated, a label is too long
     *                                  for the counters file, the source has no counters, or a source of the same
     *                                  kind and name is registered.
     */
    public void register(final CounterSource source)
    {
        final RegisteredSource registered = check(source);
        synchronized (lock)
        {
            final State current = state;
            for (final RegisteredSource existing : current.sources())
            {
                if (existing.source().kind().equals(source.kind()) && existing.source().name().equals(source.name()))
                {
                    throw new IllegalArgumentException("a counter source " + source.kind() + "/" + source.name()
                        + " is already registered; unregister it first or give this one another name");
                }
            }
            final List<RegisteredSource> sources = new ArrayList<>(current.sources());
            sources.add(registered);
            state = new State(current.generation() + 1, List.copyOf(sources));
            for (final Listener listener : listeners)
            {
                notify(listener, source, true);
            }
        }
    }

    /**
     * Unregisters a source.
     *
     * @param source a source.
     * @return whether it was registered.
     */
    public boolean unregister(final CounterSource source)
    {
        synchronized (lock)
        {
            final State current = state;
            final List<RegisteredSource> sources = new ArrayList<>(current.sources());
            if (!sources.removeIf(r -> r.source() == source))
            {
                return false;
            }
            state = new State(current.generation() + 1, List.copyOf(sources));
            for (final Listener listener : listeners)
            {
                notify(listener, source, false);
            }
            return true;
        }
    }

    /**
     * {@return the registered sources, in registration order}
     */
    public List<CounterSource> sources()
    {
        final List<RegisteredSource> registered = state.sources();
        final List<CounterSource> sources = new ArrayList<>(registered.size());
        for (final RegisteredSource r : registered)
        {
            sources.add(r.source());
        }
        return sources;
    }

    /**
     * {@return a number that changes whenever a source is registered or unregistered}
     */
    public long generation()
    {
        return state.generation();
    }

    /**
     * Adds a listener and tells it, on this thread, of every source already registered.
     *
     * @param listener the listener.
     */
    public void addListener(final Listener listener)
    {
        synchronized (lock)
        {
            listeners.add(listener);
            for (final RegisteredSource r : state.sources())
            {
                notify(listener, r.source(), true);
            }
        }
    }

    /**
     * Removes a listener; it hears of no further change (and is not told of the sources still registered).
     *
     * @param listener the listener.
     */
    public void removeListener(final Listener listener)
    {
        synchronized (lock)
        {
            listeners.remove(listener);
        }
    }

    State state()
    {
        return state;
    }

    private static void notify(final Listener listener, final CounterSource source, final boolean registered)
    {
        try
        {
            if (registered)
            {
                listener.registered(source);
            }
            else
            {
                listener.unregistered(source);
            }
        }
        catch (final RuntimeException ex)
        {
            // a failing publisher must not stop the component from registering, nor the other publishers
            LOGGER.log(System.Logger.Level.WARNING, "counter listener " + listener + " failed on "
                + source.kind() + "/" + source.name(), ex);
        }
    }

    private static RegisteredSource check(final CounterSource source)
    {
        if (source == null)
        {
            throw new IllegalArgumentException("counter source is null");
        }
        final String kind = CounterNames.requireValid("kind", source.kind());
        final String name = CounterNames.requireValid("name", source.name());
        final List<CounterDescription> descriptions = source.descriptions();
        if (descriptions == null || descriptions.isEmpty())
        {
            throw new IllegalArgumentException("counter source " + kind + "/" + name + " has no counters");
        }
        final List<CounterDescription> copy = List.copyOf(descriptions);
        final Set<String> seen = new HashSet<>();
        for (final CounterDescription description : copy)
        {
            final String counter = description.name();
            if (!seen.add(counter))
            {
                throw new IllegalArgumentException("counter source " + kind + "/" + name + " repeats counter '"
                    + counter + "'; counter names must be unique within a source");
            }
            final String label = CountersFile.label(kind, name, counter);
            if (label.length() > CountersFile.MAX_LABEL_LENGTH)
            {
                throw new IllegalArgumentException("counter label '" + label + "' is " + label.length()
                    + " characters; kind/name/counter may be at most " + CountersFile.MAX_LABEL_LENGTH);
            }
        }
        return new RegisteredSource(source, copy);
    }
}
