package org.tmem4j.jmh.frontend;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.tmem4j.host.HostDaemon;
import org.tmem4j.stats.CounterDescription;
import org.tmem4j.stats.CounterSource;

/**
 * How {@link HostRoundTripBenchmark}'s handoffs went in an iteration, for JMH's secondary results: on each side the
 * waits that ended while spinning (and of those, the ones during which a yield gave this side's core away for
 * 2 µs or more) and those that outlasted the spin and slept on the slot's socket (the daemon's
 * only where it runs in the benchmark's JVM). A round trip that sleeps pays a scheduler wake-up, so where the
 * sleeps are is where the microseconds are.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class HandoffEvents
{
    private CounterSource client;
    private CounterSource daemon;
    private long clientSpunBefore;
    private long clientYieldedBefore;
    private long clientSleptBefore;
    private long daemonSpunBefore;
    private long daemonYieldedBefore;
    private long daemonSleptBefore;

    /**
     * Takes the iteration's starting counts.
     *
     * @param bench the benchmark's store.
     */
    @Setup(Level.Iteration)
    public void start(final HostRoundTripBenchmark bench)
    {
        client = bench.hostBackend() == null ? null : bench.hostBackend().handoffCounters();
        final HostDaemon inJvm = bench.daemon();
        daemon = inJvm == null ? null : inJvm.handoffCounters();
        clientSpunBefore = count(client, "spun_handoffs");
        clientYieldedBefore = count(client, "yielded_handoffs");
        clientSleptBefore = count(client, "slept_handoffs");
        daemonSpunBefore = count(daemon, "spun_handoffs");
        daemonYieldedBefore = count(daemon, "yielded_handoffs");
        daemonSleptBefore = count(daemon, "slept_handoffs");
    }

    /**
     * {@return answers the client found while spinning, this iteration}
     */
    public long clientSpun()
    {
        return count(client, "spun_handoffs") - clientSpunBefore;
    }

    /**
     * {@return of the answers the client found spinning, those during which it lost its core on a yield, this iteration}
     */
    public long clientYielded()
    {
        return count(client, "yielded_handoffs") - clientYieldedBefore;
    }

    /**
     * {@return answers the client slept for, this iteration}
     */
    public long clientSlept()
    {
        return count(client, "slept_handoffs") - clientSleptBefore;
    }

    /**
     * {@return requests the daemon found while spinning, this iteration}
     */
    public long daemonSpun()
    {
        return count(daemon, "spun_handoffs") - daemonSpunBefore;
    }

    /**
     * {@return of the requests the daemon found spinning, those during which it lost its core on a yield, this iteration}
     */
    public long daemonYielded()
    {
        return count(daemon, "yielded_handoffs") - daemonYieldedBefore;
    }

    /**
     * {@return requests the daemon slept for, this iteration}
     */
    public long daemonSlept()
    {
        return count(daemon, "slept_handoffs") - daemonSleptBefore;
    }

    private static long count(final CounterSource source, final String name)
    {
        if (source == null)
        {
            return 0;
        }
        final long[] values = new long[source.descriptions().size()];
        source.sample(values);
        int i = 0;
        for (final CounterDescription description : source.descriptions())
        {
            if (description.name().equals(name))
            {
                return values[i];
            }
            i++;
        }
        throw new IllegalArgumentException("no counter " + name + " in " + source.descriptions());
    }
}
