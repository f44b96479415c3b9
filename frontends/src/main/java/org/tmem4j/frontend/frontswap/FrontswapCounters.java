package org.tmem4j.frontend.frontswap;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.tmem4j.stats.CounterSource;

/**
 * The counters of a {@link Frontswap}: the kernel's debugfs {@code frontswap/} ({@code loads}, {@code succ_stores},
 * {@code failed_stores}, {@code invalidates}) plus what the file side adds. Every store is exactly one of
 * {@code succ_stores}, {@code failed_stores} (the backend refused or failed) and {@code skipped_stores} (no live
 * backend); every load that returned a page is exactly one of {@code loads} (from the backend) and
 * {@code file_loads}.
 */
final class FrontswapCounters
{
    final LongAdder loads = new LongAdder();
    final LongAdder fileLoads = new LongAdder();
    final LongAdder succStores = new LongAdder();
    final LongAdder failedStores = new LongAdder();
    final LongAdder skippedStores = new LongAdder();
    final LongAdder backendErrors = new LongAdder();
    final LongAdder invalidates = new LongAdder();
    final LongAdder writtenBack = new LongAdder();
    final LongAdder fileWrites = new LongAdder();

    CounterSource source(final String name, final LongSupplier currPages, final LongSupplier areas)
    {
        return CounterSource.builder("frontend", name)
            .counter("loads", loads::sum)
            .counter("file_loads", fileLoads::sum)
            .counter("succ_stores", succStores::sum)
            .counter("failed_stores", failedStores::sum)
            .counter("skipped_stores", skippedStores::sum)
            .counter("backend_errors", backendErrors::sum)
            .counter("invalidates", invalidates::sum)
            .counter("written_back", writtenBack::sum)
            .counter("file_writes", fileWrites::sum)
            .counter("curr_pages", currPages)
            .counter("areas", areas)
            .build();
    }
}
