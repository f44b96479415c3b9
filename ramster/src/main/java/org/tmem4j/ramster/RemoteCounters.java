package org.tmem4j.ramster;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.ConcurrentHistogram;
import org.tmem4j.stats.CounterSource;

import static org.tmem4j.stats.CounterUnit.BYTES;
import static org.tmem4j.stats.CounterUnit.EVENTS;
import static org.tmem4j.stats.CounterUnit.MICROSECONDS;
import static org.tmem4j.stats.CounterUnit.OPERATIONS;
import static org.tmem4j.stats.CounterUnit.PAGES;

/**
 * What a {@link RedisPageStore} counts: operations, hits and misses, bytes each way, failures by kind, circuit
 * breaker openings, and a latency histogram of successful round trips (a batch is one round trip).
 */
final class RemoteCounters
{
    private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(1);

    final LongAdder puts = new LongAdder();
    final LongAdder putBytes = new LongAdder();
    final LongAdder gets = new LongAdder();
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder getBytes = new LongAdder();
    final LongAdder deletes = new LongAdder();
    private final Map<RemoteFailure, LongAdder> failures = new EnumMap<>(RemoteFailure.class);
    private final ConcurrentHistogram latency = new ConcurrentHistogram(MAX_LATENCY_MICROS, 2);

    RemoteCounters()
    {
        for (final RemoteFailure failure : RemoteFailure.values())
        {
            failures.put(failure, new LongAdder());
        }
    }

    void failed(final RemoteFailure failure)
    {
        failures.get(failure).increment();
    }

    long failures(final RemoteFailure failure)
    {
        return failures.get(failure).sum();
    }

    void roundTrip(final long startNanos)
    {
        final long micros = (System.nanoTime() - startNanos) / 1_000;
        latency.recordValue(Math.min(Math.max(micros, 0), MAX_LATENCY_MICROS));
    }

    /**
     * @param percentile 0 to 100.
     * @return the round-trip latency at that percentile, in microseconds (0 before the first round trip).
     */
    long latencyMicros(final double percentile)
    {
        return latency.getValueAtPercentile(percentile);
    }

    CounterSource source(final String name, final CircuitBreaker breaker)
    {
        final CounterSource.Builder builder = CounterSource.builder("remote", name)
            .counter("puts", OPERATIONS, "pages Redis acknowledged", puts::sum)
            .counter("put_bytes", BYTES, "value bytes Redis acknowledged", putBytes::sum)
            .counter("gets", OPERATIONS, "pages asked for", gets::sum)
            .counter("hits", PAGES, "pages found and checked", hits::sum)
            .counter("misses", PAGES, "pages not found, or found corrupt", misses::sum)
            .counter("get_bytes", BYTES, "value bytes read", getBytes::sum)
            .counter("deletes", PAGES, "pages deleted", deletes::sum);
        for (final RemoteFailure failure : RemoteFailure.values())
        {
            builder.counter(failure.counterName(), OPERATIONS, "operations that failed: " + failure.description(),
                failures.get(failure)::sum);
        }
        return builder
            .counter("breaker_opens", EVENTS, "times the circuit breaker opened", breaker::opens)
            .gauge("breaker_open", EVENTS, "1 while the circuit breaker is open", () -> breaker.isOpen() ? 1 : 0)
            .gauge("latency_p50_us", MICROSECONDS, "median round trip", () -> latencyMicros(50))
            .gauge("latency_p99_us", MICROSECONDS, "99th percentile round trip", () -> latencyMicros(99))
            .gauge("latency_p999_us", MICROSECONDS, "99.9th percentile round trip", () -> latencyMicros(99.9))
            .gauge("latency_max_us", MICROSECONDS, "slowest round trip", latency::getMaxValue)
            .build();
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT, "puts=%d gets=%d hits=%d misses=%d failures=%s", puts.sum(), gets.sum(),
            hits.sum(), misses.sum(), failures);
    }
}
