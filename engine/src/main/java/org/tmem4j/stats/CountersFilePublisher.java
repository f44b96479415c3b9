package org.tmem4j.stats;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Copies the counters of a {@link CounterRegistry} into a {@link CountersFile} every publish interval, on a daemon
 * thread, so that another process can read them while the engine runs.
 * <pre>
 *   registry (sources)  --sample every interval-->  long[] per source  --release stores-->  mapped counters file
 *                                                                                                 ^
 *                                               ./tmem4j stat, CountersFileReader (other process) +
 * </pre>
 * Each tick compares the registry's generation with the one it last laid out: when sources came or went it rewrites
 * the file's layout under the file's sequence lock, otherwise it only samples the sources into arrays it keeps and
 * stores the values. The steady state allocates nothing. A source that throws keeps its last published values (the
 * failure is logged once per source); a source that does not fit the file's capacity is left out of the file,
 * counted in its dropped-counters field and logged.
 * <p>
 * {@link #close()} stops the thread, marks the file closed and deletes it.
 */
public final class CountersFilePublisher implements AutoCloseable
{
    /** Default max counters in the file. */
    public static final int DEFAULT_CAPACITY = 1024;
    /** Default publish interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(100);

    private static final System.Logger LOGGER = System.getLogger(CountersFilePublisher.class.getName());

    private final CounterRegistry registry;
    private final CountersFileWriter writer;
    private final ScheduledExecutorService thread;
    private final Set<CounterSource> failing = Collections.newSetFromMap(new IdentityHashMap<>());

    private long generation = -1;
    private CounterRegistry.RegisteredSource[] published = new CounterRegistry.RegisteredSource[0];
    private long[][] samples = new long[0][];
    private int[] offsets = new int[0];
    private long[] values = new long[0];
    private int count;
    private long publishes;
    private boolean closed;

    private CountersFilePublisher(final CounterRegistry registry, final CountersFileWriter writer)
    {
        this.registry = registry;
        this.writer = writer;
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread t = new Thread(runnable, "tmem4j-counters-publisher");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * {@return a builder of a publisher}
     *
     * @param registry the sources to publish.
     */
    public static Builder builder(final CounterRegistry registry)
    {
        if (registry == null)
        {
            throw new IllegalArgumentException("registry is null");
        }
        return new Builder(registry);
    }

    /**
     * {@return the counters file}
     */
    public Path path()
    {
        return writer.path();
    }

    /**
     * {@return publishes so far, including the one made at start}
     */
    public synchronized long publishes()
    {
        return publishes;
    }

    /**
     * Publishes now, on the calling thread, besides the periodic publishes: lays the file out again if sources
     * changed, stores every value and advances the heartbeat. Does nothing after {@link #close()}.
     */
    public synchronized void publish()
    {
        if (closed)
        {
            return;
        }
        final CounterRegistry.State state = registry.state();
        if (state.generation() != generation)
        {
            layout(state);
        }
        else
        {
            sampleAll();
            writer.values(values, count);
        }
        writer.heartbeat(System.currentTimeMillis());
        publishes++;
    }

    /**
     * Stops publishing, marks the file closed and deletes it. Idempotent.
     */
    @Override
    public void close()
    {
        thread.shutdownNow();
        try
        {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            try
            {
                writer.close();
            }
            catch (final IOException ex)
            {
                LOGGER.log(System.Logger.Level.WARNING, "could not delete counters file " + writer.path(), ex);
            }
        }
    }

    private void layout(final CounterRegistry.State state)
    {
        final List<CounterRegistry.RegisteredSource> fitting = new ArrayList<>();
        final List<String> labels = new ArrayList<>();
        final List<CounterDescription> descriptions = new ArrayList<>();
        int dropped = 0;
        for (final CounterRegistry.RegisteredSource source : state.sources())
        {
            final int size = source.descriptions().size();
            if (labels.size() + size > writer.capacity())
            {
                dropped += size;
                continue;
            }
            fitting.add(source);
            for (int i = 0; i < size; i++)
            {
                labels.add(source.label(i));
                descriptions.add(source.descriptions().get(i));
            }
        }
        if (dropped > 0)
        {
            LOGGER.log(System.Logger.Level.WARNING, dropped + " counters do not fit counters file " + writer.path()
                + " of capacity " + writer.capacity() + "; they are left out of it (JMX still shows them)");
        }
        published = fitting.toArray(new CounterRegistry.RegisteredSource[0]);
        samples = new long[published.length][];
        offsets = new int[published.length];
        int offset = 0;
        for (int s = 0; s < published.length; s++)
        {
            samples[s] = new long[published[s].descriptions().size()];
            offsets[s] = offset;
            offset += samples[s].length;
        }
        values = new long[offset];
        count = offset;
        failing.retainAll(fitting.stream().map(CounterRegistry.RegisteredSource::source).toList());
        sampleAll();
        writer.layout(labels, descriptions, values, dropped);
        generation = state.generation();
    }

    private void sampleAll()
    {
        for (int s = 0; s < published.length; s++)
        {
            final CounterSource source = published[s].source();
            final long[] sample = samples[s];
            try
            {
                source.sample(sample);
            }
            catch (final RuntimeException ex)
            {
                if (failing.add(source))
                {
                    LOGGER.log(System.Logger.Level.WARNING, "counter source " + source.kind() + "/" + source.name()
                        + " failed to sample; its last values stay published", ex);
                }
                continue;
            }
            System.arraycopy(sample, 0, values, offsets[s], sample.length);
        }
    }

    private void publishQuietly()
    {
        try
        {
            publish();
        }
        catch (final RuntimeException ex)
        {
            // one failed tick must not end the periodic task, which a thrown exception would
            LOGGER.log(System.Logger.Level.WARNING, "publishing counters to " + writer.path() + " failed", ex);
        }
    }

    /**
     * Configures a {@link CountersFilePublisher}.
     */
    public static final class Builder
    {
        private final CounterRegistry registry;
        private Path path;
        private Duration interval = DEFAULT_INTERVAL;
        private int capacity = DEFAULT_CAPACITY;

        private Builder(final CounterRegistry registry)
        {
            this.registry = registry;
        }

        /**
         * {@return this builder}
         *
         * @param path the counters file; default {@link CountersFile#pathOfThisProcess()}.
         */
        public Builder path(final Path path)
        {
            if (path == null)
            {
                throw new IllegalArgumentException("counters file path is null");
            }
            this.path = path;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param interval time between publishes, 1 ms to 1 hour; default 100 ms.
         */
        public Builder interval(final Duration interval)
        {
            if (interval == null || interval.compareTo(Duration.ofMillis(1)) < 0
                || interval.compareTo(Duration.ofHours(1)) > 0)
            {
                throw new IllegalArgumentException("publish interval must be between 1 ms and 1 hour, got " + interval);
            }
            this.interval = interval;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param capacity max counters in the file, 1 to 1,000,000; default {@value #DEFAULT_CAPACITY}.
         */
        public Builder capacity(final int capacity)
        {
            if (capacity < 1 || capacity > 1_000_000)
            {
                throw new IllegalArgumentException("counters file capacity must be 1 to 1000000, got " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /**
         * Creates the file, publishes once (so the file is complete when this returns) and starts the thread.
         *
         * @return the running publisher.
         * @throws IOException if the file cannot be created or another live writer holds it.
         */
        public CountersFilePublisher start() throws IOException
        {
            final Path file = path != null ? path : CountersFile.pathOfThisProcess();
            final ProcessHandle self = ProcessHandle.current();
            final long now = System.currentTimeMillis();
            final long startTime = self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(now);
            final CountersFileWriter writer = CountersFileWriter.create(
                file, capacity, (int)interval.toMillis(), self.pid(), startTime, now);
            final CountersFilePublisher publisher = new CountersFilePublisher(registry, writer);
            try
            {
                publisher.publish();
            }
            catch (final RuntimeException ex)
            {
                publisher.close();
                throw ex;
            }
            final long periodNanos = interval.toNanos();
            publisher.thread.scheduleWithFixedDelay(
                publisher::publishQuietly, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
            return publisher;
        }
    }
}
