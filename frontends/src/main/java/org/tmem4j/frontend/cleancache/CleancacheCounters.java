package org.tmem4j.frontend.cleancache;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.tmem4j.stats.CounterSource;

/**
 * The counters of a {@link Cleancache}: the kernel's debugfs {@code cleancache/} ({@code succ_gets},
 * {@code failed_gets}, {@code puts}, {@code invalidates}) plus backend failures. Every get is exactly one of
 * {@code succ_gets} and {@code failed_gets}; {@code puts} counts every put, kept or dropped;
 * {@code index_overflow_puts} counts the dropped puts whose page index does not fit tmem's 32 bits.
 */
final class CleancacheCounters
{
    final LongAdder succGets = new LongAdder();
    final LongAdder failedGets = new LongAdder();
    final LongAdder puts = new LongAdder();
    final LongAdder droppedPuts = new LongAdder();
    final LongAdder invalidates = new LongAdder();
    final LongAdder backendErrors = new LongAdder();
    final LongAdder indexOverflowPuts = new LongAdder();

    CounterSource source(final String name, final LongSupplier pools)
    {
        return CounterSource.builder("frontend", name)
            .counter("succ_gets", succGets::sum)
            .counter("failed_gets", failedGets::sum)
            .counter("puts", puts::sum)
            .counter("dropped_puts", droppedPuts::sum)
            .counter("invalidates", invalidates::sum)
            .counter("backend_errors", backendErrors::sum)
            .counter("index_overflow_puts", indexOverflowPuts::sum)
            .counter("pools", pools)
            .build();
    }
}
