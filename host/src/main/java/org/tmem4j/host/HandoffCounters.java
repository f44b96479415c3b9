package org.tmem4j.host;

import java.util.concurrent.atomic.LongAdder;

import org.tmem4j.stats.CounterCatalog;
import org.tmem4j.stats.CounterUnit;

/**
 * How one side's slot handoffs went (a client's, over its slots, or the daemon's, over every client's): every wait
 * for the other side's move is exactly one of {@code spun_handoffs} (the move came while this side spun on the
 * slot's header) and {@code slept_handoffs} (the spin ran out and this side slept on the slot's socket). A round
 * trip that never sleeps costs two cache-line handoffs; one that sleeps costs a wake-up byte and a scheduler
 * wake-up, ten microseconds and more, so their ratio is where a round trip's time goes. {@code yielded_handoffs}
 * (part of {@code spun_handoffs}) says how often this side lost its core while it waited.
 */
final class HandoffCounters
{
    /** What each counter is. */
    static final CounterCatalog<HandoffCounters> CATALOG = CounterCatalog.<HandoffCounters>builder()
        .counter("spun_handoffs", CounterUnit.OPERATIONS, "waits for the other side's move on a request slot that "
            + "ended while this side spun on the shared header", c -> c.spun.sum())
        .counter("yielded_handoffs", CounterUnit.OPERATIONS, "of the spun handoffs, those during which a yield gave "
            + "this side's core away for 2 us or more (the two sides may share a core)",
            c -> c.yielded.sum())
        .counter("slept_handoffs", CounterUnit.OPERATIONS, "waits for the other side's move on a request slot that "
            + "outlasted the spin: this side slept on the slot's socket", c -> c.slept.sum())
        .counter("wakeups_sent", CounterUnit.EVENTS, "wake-up bytes this side sent on a slot's socket to the other "
            + "side, asleep", c -> c.wakeupsSent.sum())
        .build();

    final LongAdder spun = new LongAdder();
    final LongAdder yielded = new LongAdder();
    final LongAdder slept = new LongAdder();
    final LongAdder wakeupsSent = new LongAdder();
}
