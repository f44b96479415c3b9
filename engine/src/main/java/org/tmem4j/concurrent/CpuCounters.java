package org.tmem4j.concurrent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed set of event counters striped by the CPU the counting thread runs on ({@link CurrentCpu}): each stripe
 * holds every counter of the set on cache lines of its own, so threads running at the same time, which are on
 * different CPUs, never write a common line, and an operation counting several events of one set touches one line.
 * <p>
 * <b>Why not {@link java.util.concurrent.atomic.LongAdder}.</b> A {@code LongAdder} stripes by thread (a per-thread
 * hash) into at most as many cells as there are CPUs. With more runnable threads than CPUs, the two threads running
 * at a moment share a cell about as often as not, and every context switch deals a new pair, so their updates keep
 * bouncing cells between CPUs; separate adders' uncontended bases may also share a line. Striping by CPU gives the
 * threads running at once distinct lines by construction; threads that share a CPU take turns on its stripe.
 * <p>
 * Updates are atomic adds (a thread may be preempted, or move to another CPU, between reading its CPU and adding):
 * an update is never lost, whichever stripe it lands in. {@link #sum} reads each stripe once, like
 * {@code LongAdder.sum()}: exact when no update runs concurrently, and between the totals before and after it for
 * a counter that only grows.
 */
public final class CpuCounters
{
    /** Longs per 128 bytes: a line and the neighbour an adjacent-line prefetcher pairs it with. */
    private static final int LINE_LONGS = 16;
    private static final int MAX_STRIPES = 64;
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] cells;
    private final int counters;
    private final int stride;
    private final int stripeMask;

    /**
     * Makes a set of counters, all 0, with a stripe for each CPU (up to 64; CPUs beyond share stripes).
     *
     * @param counters how many counters the set has, 1 to 1024.
     */
    public CpuCounters(final int counters)
    {
        if (counters < 1 || counters > 1024)
        {
            throw new IllegalArgumentException("a counter set has 1 to 1024 counters, not " + counters);
        }
        final int cpus = Math.max(1, Runtime.getRuntime().availableProcessors());
        final int stripes = Math.min(MAX_STRIPES, Integer.highestOneBit(cpus * 2 - 1));
        this.counters = counters;
        this.stride = (counters + LINE_LONGS - 1) / LINE_LONGS * LINE_LONGS;
        this.stripeMask = stripes - 1;
        // one stride more than the stripes: the first is left empty, so the array header's line holds no counter
        this.cells = new long[(stripes + 1) * stride];
    }

    /**
     * {@return how many counters the set has}
     */
    public int counters()
    {
        return counters;
    }

    /**
     * Adds one to a counter in the current CPU's stripe.
     *
     * @param counter 0 to {@link #counters()} - 1.
     */
    public void increment(final int counter)
    {
        add(counter, 1L);
    }

    /**
     * Adds to a counter in the current CPU's stripe.
     *
     * @param counter 0 to {@link #counters()} - 1.
     * @param delta   what to add, negative to subtract.
     */
    public void add(final int counter, final long delta)
    {
        add(cpu(), counter, delta);
    }

    /**
     * Adds to a counter in a CPU's stripe: for an operation that counts several events, which looks its CPU up
     * once ({@link #cpu()}).
     *
     * @param cpu     what {@link #cpu()} answered, during the same operation.
     * @param counter 0 to {@link #counters()} - 1.
     * @param delta   what to add, negative to subtract.
     */
    public void add(final int cpu, final int counter, final long delta)
    {
        CELLS.getAndAdd(cells, ((cpu & stripeMask) + 1) * stride + checked(counter), delta);
    }

    /**
     * {@return the CPU the calling thread runs on, as the stripe key of every set}
     */
    public static int cpu()
    {
        return CurrentCpu.stripe();
    }

    /**
     * {@return a counter's total over every stripe}
     *
     * @param counter 0 to {@link #counters()} - 1.
     */
    public long sum(final int counter)
    {
        final int at = checked(counter);
        long sum = 0;
        for (int offset = stride; offset < cells.length; offset += stride)
        {
            sum += (long)CELLS.getVolatile(cells, offset + at);
        }
        return sum;
    }

    /**
     * {@return one counter of the set, as an object with a {@code LongAdder}'s methods}
     *
     * @param counter 0 to {@link #counters()} - 1.
     */
    public Counter counter(final int counter)
    {
        return new Counter(this, checked(counter));
    }

    /**
     * One counter of a {@link CpuCounters} set.
     */
    public static final class Counter
    {
        private final CpuCounters set;
        private final int index;

        private Counter(final CpuCounters set, final int index)
        {
            this.set = set;
            this.index = index;
        }

        /**
         * Adds one.
         */
        public void increment()
        {
            set.add(index, 1L);
        }

        /**
         * Subtracts one.
         */
        public void decrement()
        {
            set.add(index, -1L);
        }

        /**
         * Adds a value.
         *
         * @param delta what to add, negative to subtract.
         */
        public void add(final long delta)
        {
            set.add(index, delta);
        }

        /**
         * Adds a value in a CPU's stripe.
         *
         * @param cpu   what {@link CpuCounters#cpu()} answered, during the same operation.
         * @param delta what to add, negative to subtract.
         */
        public void add(final int cpu, final long delta)
        {
            set.add(cpu, index, delta);
        }

        /**
         * {@return the total over every stripe}
         */
        public long sum()
        {
            return set.sum(index);
        }
    }

    private int checked(final int counter)
    {
        if (counter < 0 || counter >= counters)
        {
            throw new IndexOutOfBoundsException("counter " + counter + " of a set of " + counters);
        }
        return counter;
    }
}
