package org.tmem4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer thread publishing as fast as it can against reader threads snapshotting as fast as they can: values are
 * never torn, and labels and values always come from the same layout, however often the layout changes.
 */
class CountersFileConcurrencyTest
{
    private static final long RUN_NANOS = 1_500_000_000L;
    /** Every 16-bit lane equal: a torn write of such a value (half old, half new) breaks the pattern. */
    private static final long LANES = 0x0001_0001_0001_0001L;

    @TempDir
    Path dir;

    @Test
    void valuesAreNeverTornAndNeverGoBack() throws Exception
    {
        final CounterRegistry registry = new CounterRegistry();
        final AtomicLong tick = new AtomicLong();
        final CounterSource.Builder builder = CounterSource.builder("engine", "lanes");
        for (int i = 0; i < 8; i++)
        {
            final long salt = i;
            builder.counter("c" + i, CounterUnit.OPERATIONS, "calls", () -> ((tick.get() + salt) & 0xFFFF) * LANES);
        }
        builder.counter("tick", CounterUnit.OPERATIONS, "calls", tick::get);
        registry.register(builder.build());
        final Path file = dir.resolve("lanes.counters");
        try (CountersFilePublisher publisher = CountersFilePublisher.builder(registry)
            .path(file).interval(Duration.ofMillis(1)).start())
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread writer = new Thread(() ->
            {
                while (!stop.get())
                {
                    tick.incrementAndGet();
                    publisher.publish();
                }
            });
            final AtomicReference<String> failure = new AtomicReference<>();
            final List<Thread> readers = new ArrayList<>();
            final AtomicLong snapshots = new AtomicLong();
            for (int r = 0; r < 2; r++)
            {
                readers.add(new Thread(() ->
                {
                    try (CountersFileReader reader = CountersFileReader.open(file))
                    {
                        long lastTick = -1;
                        while (!stop.get())
                        {
                            final CountersSnapshot snapshot = reader.snapshot();
                            for (final CounterValue counter : snapshot.counters())
                            {
                                final long v = counter.value();
                                if (counter.counter().equals("tick"))
                                {
                                    if (v < lastTick)
                                    {
                                        failure.compareAndSet(null, "tick went back from " + lastTick + " to " + v);
                                    }
                                    lastTick = v;
                                }
                                else if (v != (v & 0xFFFF) * LANES)
                                {
                                    failure.compareAndSet(null, "torn value " + Long.toHexString(v) + " of "
                                        + counter.label());
                                }
                            }
                            snapshots.incrementAndGet();
                        }
                    }
                    catch (final Exception ex)
                    {
                        failure.compareAndSet(null, ex.toString());
                    }
                }));
            }
            writer.start();
            readers.forEach(Thread::start);
            Thread.sleep(RUN_NANOS / 1_000_000);
            stop.set(true);
            writer.join();
            for (final Thread reader : readers)
            {
                reader.join();
            }
            assertEquals(null, failure.get());
            assertTrue(tick.get() > 1000, "writer published only " + tick.get() + " times");
            assertTrue(snapshots.get() > 1000, "readers took only " + snapshots.get() + " snapshots");
        }
    }

    @Test
    void labelsAndValuesAlwaysBelongToTheSameLayout() throws Exception
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final CounterRegistry registry = new CounterRegistry();
        final Path file = dir.resolve("relayout.counters");
        try (CountersFilePublisher publisher = CountersFilePublisher.builder(registry)
            .path(file).interval(Duration.ofMillis(1)).capacity(64).start())
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<String> failure = new AtomicReference<>();
            final AtomicLong snapshots = new AtomicLong();
            final AtomicLong layoutsSeen = new AtomicLong();
            final Thread reader = new Thread(() ->
            {
                try (CountersFileReader r = CountersFileReader.open(file))
                {
                    long lastEpoch = -1;
                    while (!stop.get())
                    {
                        final CountersSnapshot snapshot = r.snapshot();
                        if (snapshot.layoutEpoch() != lastEpoch)
                        {
                            layoutsSeen.incrementAndGet();
                            lastEpoch = snapshot.layoutEpoch();
                        }
                        for (final CounterValue counter : snapshot.counters())
                        {
                            // source s<id> counter c<i> always reads id * 1000 + i
                            final long expected = Long.parseLong(counter.name().substring(1)) * 1000
                                + Long.parseLong(counter.counter().substring(1));
                            if (counter.value() != expected)
                            {
                                failure.compareAndSet(null, counter.label() + " read " + counter.value()
                                    + ", expected " + expected + " (seed " + seed + ")");
                            }
                        }
                        snapshots.incrementAndGet();
                    }
                }
                catch (final Exception ex)
                {
                    failure.compareAndSet(null, ex + " (seed " + seed + ")");
                }
            });
            reader.start();
            final List<CounterSource> live = new ArrayList<>();
            final long deadline = System.nanoTime() + RUN_NANOS;
            int next = 0;
            int changes = 0;
            // at least RUN_NANOS and at least enough work to judge: on a loaded machine the time alone did too little
            while (System.nanoTime() < deadline || changes <= 1000 || snapshots.get() <= 100)
            {
                if (!reader.isAlive())
                {
                    break;
                }
                if (live.isEmpty() || (live.size() < 8 && random.nextBoolean()))
                {
                    final int id = next++;
                    final CounterSource.Builder builder = CounterSource.builder("engine", "s" + id);
                    final int counters = 1 + random.nextInt(8);
                    for (int i = 0; i < counters; i++)
                    {
                        final long value = id * 1000L + i;
                        builder.counter("c" + i, CounterUnit.OPERATIONS, "calls", () -> value);
                    }
                    final CounterSource source = builder.build();
                    registry.register(source);
                    live.add(source);
                }
                else
                {
                    registry.unregister(live.remove(random.nextInt(live.size())));
                }
                changes++;
                publisher.publish();
                // a seqlock reader cannot finish while layouts change without pause: every 16 changes the writer
                // waits for one snapshot, as a real engine (which changes layout rarely) always lets it
                if (changes % 16 == 0)
                {
                    final long taken = snapshots.get();
                    while (snapshots.get() == taken && reader.isAlive())
                    {
                        Thread.yield();
                    }
                }
            }
            stop.set(true);
            reader.join();
            if (failure.get() != null)
            {
                fail(failure.get());
            }
            assertTrue(changes > 1000, "only " + changes + " layout changes");
            assertTrue(layoutsSeen.get() > 10, "reader saw only " + layoutsSeen.get() + " layouts");
            assertTrue(snapshots.get() > 100, "reader took only " + snapshots.get() + " snapshots");
        }
    }
}
