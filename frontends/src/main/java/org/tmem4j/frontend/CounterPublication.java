package org.tmem4j.frontend;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.tmem4j.stats.CounterRegistry;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.stats.CountersFilePublisher;
import org.tmem4j.stats.JmxCounterPublisher;

/**
 * Shows a running stack's counters to the outside: every source added here appears as a JMX MBean (JConsole, under
 * {@code org.tmem4j}) and in the memory-mapped counters file that another process reads while this one runs
 * ({@code ./tmem4j stat}, the {@code cat debugfs} of tmem4j).
 * <pre>{@code
 *   try (CounterPublication counters = CounterPublication.start(null)) {      // default counters file
 *       counters.add(cleancache.counters());
 *       counters.add(frontswap.counters());
 *       Backend backend = registry.register("zcache", config);
 *       counters.addEngine(backend);                                          // engine, allocator, memory
 *       ...
 *       counters.removeEngine(backend); registry.unregister();
 *   }
 * }</pre>
 * Sources are sampled by the publishers (every {@link CountersFilePublisher#DEFAULT_INTERVAL} for the file, on
 * demand for JMX), never on the put and get paths. Thread-safe.
 */
public final class CounterPublication implements AutoCloseable
{
    private final CounterRegistry registry = new CounterRegistry();
    private final Map<Backend, List<CounterSource>> engines = new ConcurrentHashMap<>();
    private final JmxCounterPublisher jmx;
    private final CountersFilePublisher file;

    private CounterPublication(final Path path) throws IOException
    {
        jmx = JmxCounterPublisher.start(registry);
        final CountersFilePublisher.Builder builder = CountersFilePublisher.builder(registry);
        if (path != null)
        {
            builder.path(path);
        }
        try
        {
            file = builder.start();
        }
        catch (final IOException | RuntimeException ex)
        {
            jmx.close();
            throw ex;
        }
    }

    /**
     * Starts publishing (nothing yet: add sources).
     *
     * @param countersFile where to write the counters file, or {@code null} for the default path that
     *                     {@code ./tmem4j stat} looks at.
     * @return the publication.
     * @throws IOException if the counters file cannot be created.
     */
    public static CounterPublication start(final Path countersFile) throws IOException
    {
        return new CounterPublication(countersFile);
    }

    /**
     * {@return the registry the publishers read, for sources of the application's own}
     */
    public CounterRegistry registry()
    {
        return registry;
    }

    /**
     * {@return the counters file's path}
     */
    public Path countersFile()
    {
        return file.path();
    }

    /**
     * Writes every source's current values to the counters file now, without waiting for the next interval.
     */
    public void publish()
    {
        file.publish();
    }

    /**
     * Publishes the counters of one more source, over JMX and in the counters file.
     *
     * @param source a source to publish, e.g. {@code cleancache.counters()}.
     * @throws IllegalArgumentException if a source of the same kind and name is published already.
     */
    public void add(final CounterSource source)
    {
        registry.register(source);
    }

    /**
     * {@return whether it was published}
     *
     * @param source a published source.
     */
    public boolean remove(final CounterSource source)
    {
        return registry.unregister(source);
    }

    /**
     * Publishes a backend's own counters ({@link Backend#counters()}; for zcache its engine's, its allocator's and
     * its page memory's: kinds {@code engine}, {@code allocator}, {@code memory}, each named after the engine).
     *
     * @param backend a backend.
     * @throws IllegalArgumentException if it, or another engine of the same name, is published already.
     */
    public void addEngine(final Backend backend)
    {
        if (backend == null)
        {
            throw new IllegalArgumentException("backend is null");
        }
        final List<CounterSource> sources = backend.counters();
        if (engines.putIfAbsent(backend, sources) != null)
        {
            throw new IllegalArgumentException("backend '" + backend.name() + "' is published already");
        }
        int added = 0;
        try
        {
            for (final CounterSource source : sources)
            {
                registry.register(source);
                added++;
            }
        }
        catch (final RuntimeException ex)
        {
            sources.subList(0, added).forEach(registry::unregister);
            engines.remove(backend);
            throw ex;
        }
    }

    /**
     * Stops publishing a backend's counters (call it before or after the backend closes; closed backends read 0).
     *
     * @param backend a backend.
     * @return whether it was published.
     */
    public boolean removeEngine(final Backend backend)
    {
        final List<CounterSource> sources = engines.remove(backend);
        if (sources == null)
        {
            return false;
        }
        sources.forEach(registry::unregister);
        return true;
    }

    /**
     * Writes the file one last time, marks it closed for readers, and unregisters every MBean.
     */
    @Override
    public void close()
    {
        try
        {
            file.close();
        }
        finally
        {
            jmx.close();
        }
    }
}
