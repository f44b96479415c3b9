package org.tmem4j.frontend.cleancache;

import java.util.concurrent.atomic.LongAdder;

import org.tmem4j.stats.CounterCatalog;
import org.tmem4j.stats.CounterUnit;

/**
 * The counters of a {@link Cleancache}: the kernel's debugfs {@code cleancache/} ({@code succ_gets},
 * {@code failed_gets}, {@code puts}, {@code invalidates}) plus backend failures. Every get is exactly one of
 * {@code succ_gets} and {@code failed_gets}; {@code puts} counts every put, kept or dropped;
 * {@code index_overflow_puts} counts the dropped puts whose page index does not fit tmem's 32 bits.
 */
final class CleancacheCounters
{
    /** What each counter is and where {@link Cleancache#counters()} reads it. */
    static final CounterCatalog<Cleancache> CATALOG = CounterCatalog.<Cleancache>builder()
        .counter("succ_gets", CounterUnit.OPERATIONS, "gets that found the page in the backend",
            c -> c.counters.succGets.sum())
        .counter("failed_gets", CounterUnit.OPERATIONS, "gets that found no page (the caller reads the disk)",
            c -> c.counters.failedGets.sum())
        .counter("puts", CounterUnit.OPERATIONS, "puts of clean pages, kept or dropped", c -> c.counters.puts.sum())
        .counter("dropped_puts", CounterUnit.OPERATIONS, "puts the backend did not keep (no backend, no memory, poor "
            + "compression)", c -> c.counters.droppedPuts.sum())
        .counter("invalidates", CounterUnit.OPERATIONS, "page and inode invalidations",
            c -> c.counters.invalidates.sum())
        .counter("backend_errors", CounterUnit.OPERATIONS, "backend calls that threw (treated as a miss or a drop)",
            c -> c.counters.backendErrors.sum())
        .counter("index_overflow_puts", CounterUnit.OPERATIONS, "puts dropped because the page index is beyond "
            + "Integer.MAX_VALUE (the tmem index is 32 bits)", c -> c.counters.indexOverflowPuts.sum())
        .gauge("pools", CounterUnit.POOLS, "filesystem pools recorded (private ones plus distinct shared uuids)",
            Cleancache::pools)
        .build();

    final LongAdder succGets = new LongAdder();
    final LongAdder failedGets = new LongAdder();
    final LongAdder puts = new LongAdder();
    final LongAdder droppedPuts = new LongAdder();
    final LongAdder invalidates = new LongAdder();
    final LongAdder backendErrors = new LongAdder();
    final LongAdder indexOverflowPuts = new LongAdder();
}
