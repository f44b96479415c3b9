package org.tmem4j.frontend.frontswap;

import org.tmem4j.concurrent.CpuCounters;
import org.tmem4j.concurrent.CpuCounters.Counter;
import org.tmem4j.stats.CounterCatalog;
import org.tmem4j.stats.CounterUnit;

/**
 * The counters of a {@link Frontswap}: the kernel's debugfs {@code frontswap/} ({@code loads}, {@code succ_stores},
 * {@code failed_stores}, {@code invalidates}) plus what the file side adds. Every store is exactly one of
 * {@code succ_stores}, {@code failed_stores} (the backend refused or failed) and {@code skipped_stores} (no live
 * backend); every load that returned a page is exactly one of {@code loads} (from the backend) and
 * {@code file_loads}.
 */
final class FrontswapCounters
{
    /** What each counter is and where {@link Frontswap#counters()} reads it. */
    static final CounterCatalog<Frontswap> CATALOG = CounterCatalog.<Frontswap>builder()
        .counter("loads", CounterUnit.OPERATIONS, "loads served by the backend", f -> f.counters.loads.sum())
        .counter("file_loads", CounterUnit.OPERATIONS, "loads served by the swap file", f -> f.counters.fileLoads.sum())
        .counter("succ_stores", CounterUnit.OPERATIONS, "stores the backend kept", f -> f.counters.succStores.sum())
        .counter("failed_stores", CounterUnit.OPERATIONS, "stores the backend refused or failed (the page went to the "
            + "swap file)", f -> f.counters.failedStores.sum())
        .counter("skipped_stores", CounterUnit.OPERATIONS, "stores made while no backend was live (straight to the "
            + "swap file)", f -> f.counters.skippedStores.sum())
        .counter("backend_errors", CounterUnit.OPERATIONS, "backend calls that threw",
            f -> f.counters.backendErrors.sum())
        .counter("invalidates", CounterUnit.OPERATIONS, "slot invalidations (a page freed by its owner)",
            f -> f.counters.invalidates.sum())
        .counter("written_back", CounterUnit.PAGES, "pages moved from the backend back to the swap file (shrink, "
            + "unregistration, the backend's writeback of its coldest pages)", f -> f.counters.writtenBack.sum())
        .counter("writeback_failures", CounterUnit.PAGES, "coldest pages the backend offered for writeback that the "
            + "swap file could not take (they stayed in the backend)", f -> f.counters.writebackFailures.sum())
        .counter("file_writes", CounterUnit.PAGES, "pages written to the swap file", f -> f.counters.fileWrites.sum())
        .gauge("curr_pages", CounterUnit.PAGES, "pages the backend holds now over all areas", Frontswap::currPages)
        .gauge("areas", CounterUnit.AREAS, "swap areas on", f -> f.areas().size())
        .build();

    /** Striped by CPU, as the engine's counters are: threads running at once count on lines of their own. */
    private final CpuCounters counters = new CpuCounters(10);
    final Counter loads = counters.counter(0);
    final Counter fileLoads = counters.counter(1);
    final Counter succStores = counters.counter(2);
    final Counter failedStores = counters.counter(3);
    final Counter skippedStores = counters.counter(4);
    final Counter backendErrors = counters.counter(5);
    final Counter invalidates = counters.counter(6);
    final Counter writtenBack = counters.counter(7);
    final Counter fileWrites = counters.counter(8);
    final Counter writebackFailures = counters.counter(9);
}
