package org.tmem4j.frontend.balloon;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.stats.CounterCatalog;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.stats.CounterUnit;
import org.tmem4j.zcache.Zcache;

/**
 * Selfballooning for the JVM: a controller that moves a {@link Zcache}'s budget — or any {@link BalloonedBudget},
 * such as the JVM's share at the host daemon — with the JVM's memory pressure, as Xen's selfballoon driver moved a
 * guest's memory target — give memory back when the JVM needs it, take it again when it does not.
 * <p>
 * Every interval it reads the {@link MemorySignals} and computes a <i>target</i> budget:
 * <pre>
 *   target = configured budget
 *   cgroup limit:        target = min(target, limit - reserve - (usage - zcache's reserved memory))
 *   PSI some avg10 &gt;= psiPercent, or heap after GC &gt;= 90 % of -Xmx:   target = min(target, budget / 2)
 *   target = max(target, floor)
 * </pre>
 * and moves the budget a hysteresis-th of the way there (Xen's {@code selfballoon_downhysteresis} /
 * {@code uphysteresis}: {@code budget += (target - budget) / hysteresis}, at least a page). Unlike Xen's defaults,
 * shrinking defaults to a hysteresis of 1 — a cgroup limit kills at once, so the budget must leave at once — and
 * growing to 8. Shrinking the budget evicts ephemeral pages and returns their memory (a persistent page is never
 * dropped; frontswap's selfshrink moves those home).
 */
public final class Selfballoon implements AutoCloseable
{
    /** Heap after GC at or above this share of the maximum counts as pressure. */
    private static final double HEAP_PRESSURE = 0.9;
    private static final long PAGE = 4096;
    private static final CounterCatalog<Selfballoon> COUNTERS = CounterCatalog.<Selfballoon>builder()
        .gauge("target_bytes", CounterUnit.BYTES, "the budget the selfballoon last aimed at", b -> b.target.get())
        .gauge("budget_bytes", CounterUnit.BYTES, "the budget now", b -> b.budget.budgetBytes())
        .counter("moves_down", CounterUnit.EVENTS, "times the selfballoon shrank the budget", b -> b.movesDown.get())
        .counter("moves_up", CounterUnit.EVENTS, "times the selfballoon grew the budget", b -> b.movesUp.get())
        .counter("pressure_looks", CounterUnit.EVENTS, "looks that saw PSI or heap pressure",
            b -> b.pressureLooks.get())
        .build();

    private final BalloonedBudget budget;
    private final MemorySignals signals;
    private final long maxBudget;
    private final long floor;
    private final long reserve;
    private final double psiPercent;
    private final int downHysteresis;
    private final int upHysteresis;
    private final ScheduledExecutorService timer;
    private final AtomicLong target = new AtomicLong();
    private final AtomicLong movesDown = new AtomicLong();
    private final AtomicLong movesUp = new AtomicLong();
    private final AtomicLong pressureLooks = new AtomicLong();

    private Selfballoon(final BalloonedBudget budget, final FrontendsConfig config, final MemorySignals signals)
    {
        this.budget = budget;
        this.signals = signals;
        this.maxBudget = budget.budgetBytes();
        this.floor = Math.min(config.selfballoonFloorBytes(), maxBudget);
        this.reserve = config.selfballoonReserveBytes();
        this.psiPercent = config.selfballoonPsiPercent();
        this.downHysteresis = config.selfballoonDownHysteresis();
        this.upHysteresis = config.selfballoonUpHysteresis();
        this.target.set(maxBudget);
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "tmem4j-selfballoon");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts moving the budget, from the budget the Zcache has now (the most it will be given), every
     * {@code selfballoon.intervalMs}.
     *
     * @param zcache  the engine whose budget moves.
     * @param config  the {@code selfballoon.*} settings.
     * @param signals where pressure is read, usually {@link MemorySignals#ofThisJvm()}.
     * @return the running controller; close it to stop (the budget stays where it is).
     */
    public static Selfballoon start(final Zcache zcache, final FrontendsConfig config, final MemorySignals signals)
    {
        if (zcache == null)
        {
            throw new IllegalArgumentException("zcache is required");
        }
        return start(BalloonedBudget.of(zcache), config, signals);
    }

    /**
     * Starts moving a budget, from where it is now (the most it will be given), every
     * {@code selfballoon.intervalMs}.
     *
     * @param budget  the budget that moves.
     * @param config  the {@code selfballoon.*} settings.
     * @param signals where pressure is read, usually {@link MemorySignals#ofThisJvm()}.
     * @return the running controller; close it to stop (the budget stays where it is).
     */
    public static Selfballoon start(final BalloonedBudget budget, final FrontendsConfig config,
        final MemorySignals signals)
    {
        if (budget == null || config == null || signals == null)
        {
            throw new IllegalArgumentException("budget, config and signals are required, got " + budget + ", "
                + config + ", " + signals);
        }
        final Selfballoon balloon = new Selfballoon(budget, config, signals);
        final long interval = config.selfballoonInterval().toMillis();
        balloon.timer.scheduleWithFixedDelay(balloon::tickLogged, interval, interval, TimeUnit.MILLISECONDS);
        return balloon;
    }

    /**
     * Looks once and moves the budget toward the target; what the timer runs.
     *
     * @return the budget after the move.
     */
    public long tick()
    {
        final MemoryReading reading = signals.read();
        final long current = budget.budgetBytes();
        long wanted = maxBudget;
        if (reading.hasLimit())
        {
            final long others = Math.max(0, reading.usageBytes() - budget.reservedBytes());
            wanted = Math.min(wanted, reading.limitBytes() - reserve - others);
        }
        final boolean pressure = reading.pressurePercent() >= psiPercent
            || reading.heapMaxBytes() > 0 && reading.heapAfterGcBytes() >= HEAP_PRESSURE * reading.heapMaxBytes();
        if (pressure)
        {
            pressureLooks.incrementAndGet();
            wanted = Math.min(wanted, current / 2);
        }
        wanted = Math.max(floor, wanted);
        target.set(wanted);
        if (wanted == current)
        {
            return current;
        }
        final long step = Math.max(PAGE, Math.abs(wanted - current) / (wanted < current ? downHysteresis
            : upHysteresis));
        final long next = wanted < current ? Math.max(wanted, current - step) : Math.min(wanted, current + step);
        budget.budgetBytes(next);
        (next < current ? movesDown : movesUp).incrementAndGet();
        return next;
    }

    /**
     * {@return the budget the controller last aimed at}
     */
    public long target()
    {
        return target.get();
    }

    /**
     * {@return the counters, as source {@code frontend/selfballoon}: the target and budget, the moves down and up,
     * and the looks that saw PSI or heap pressure}
     */
    public CounterSource counters()
    {
        return COUNTERS.source("frontend", "selfballoon", () -> this);
    }

    /**
     * Stops the controller; the budget stays where it is. Idempotent.
     */
    @Override
    public void close()
    {
        timer.shutdownNow();
    }

    private void tickLogged()
    {
        try
        {
            tick();
        }
        catch (final RuntimeException ex)
        {
            System.getLogger(Selfballoon.class.getName()).log(System.Logger.Level.WARNING,
                "selfballoon look failed", ex);
        }
    }
}
