package org.tmem4j.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.tmem4j.concurrent.CurrentCpu;
import org.tmem4j.tmem.PageSizes;

/**
 * A bounded pool of compressor slots shared by any number of threads, virtual ones included: the JVM counterpart of
 * the kernel's per-CPU compression streams. Each {@link CompressorSlot} owns one {@link Codec} (its native context)
 * and off-heap output and scratch buffers; the pool creates {@code slots} of them up front and at most
 * {@code spares} more, so ten thousand virtual threads compressing at once still share {@code slots + spares}
 * contexts (a thread-local would make ten thousand).
 * <pre>
 *   states (one cache line per slot, no false sharing between slots):
 *     [FREE ......... ][HELD ......... ][FREE ......... ] ...
 *   slots:   slot 0 {codec, output, scratch}   slot 1 {...}   slot 2 {...}
 *   acquire: start at a preferred slot (by CPU or by thread), CAS FREE -> HELD, else probe the next ones
 *   release: HELD -> FREE
 * </pre>
 * <b>Choosing the slot.</b> Three ways are built in, see {@link SlotSelection}; the default is
 * {@link SlotSelection#CPU}: start at the slot of the CPU the thread runs on ({@code sched_getcpu} through a
 * critical FFM downcall). A slot is held for one page's compression and a platform or carrier thread runs on one CPU
 * at a time, so the CPU's own slot is nearly always free, and the slot's codec state (LZ4's 16 KiB table, a zstd
 * context of hundreds of KiB) stays warm in the caches of the CPU that used it last; probing absorbs any imbalance.
 * Thread striping hashes thread ids, which collide, and a thread that migrates takes its slot's cold state along; a
 * free list hands out slots through one CAS'd head that every acquire and release contends on.
 * <p>
 * Choosing by CPU is never measurably slower than striping by thread ({@code CompressorPoolBenchmark}), and it is
 * the one that keeps codec state on the CPU that touches it; the free list's single head makes it the slowest
 * once two threads contend. Any of them costs well under 1% of compressing the page.
 * <p>
 * <b>Spares: no convoy when threads outnumber CPUs.</b> The kernel holds a per-CPU stream with preemption
 * disabled, so a stream is never held by a task that is not running. A Java thread can be preempted while it holds
 * a slot, and it nearly always holds one (compressing is most of what it does), so with more runnable threads than
 * CPUs the slots of descheduled threads are stranded, and the running threads queue for the rest: 8 threads on
 * 2 CPUs and 2 slots did 0.58-0.66&times; the work of 2 threads. So when an acquire finds every slot held, it
 * makes a spare slot (once; a spare then stays in the pool like any slot) rather than wait, up to {@code spares}
 * of them. Machines with a thread per CPU never find every slot held and never make one; the contexts are
 * made only where threads outnumber CPUs, bounded by {@code slots + spares}.
 * <p>
 * <b>Waiting.</b> {@link #acquire()}, while a slot is free, never allocates or locks. When every slot is held and
 * no spare is left, it makes a few more passes spinning, then passes
 * yielding the CPU (a holder that was preempted gets to run and release), and only then blocks on a condition that
 * the next release signals: a blocked virtual thread unmounts and frees its carrier, and no waiter sleeps
 * through a release (polling with sleeps instead costs a whole sleep per page when threads outnumber slots).
 * A spare whose codec cannot be made (the factory throws) is not retried: the pool waits for the slots it has.
 * <p>
 * <b>Closing</b> waits for held slots to be released (up to {@value #CLOSE_WAIT_SECONDS} s), then frees every codec
 * and buffer; acquiring afterwards throws {@link IllegalStateException}.
 */
public final class CompressorPool implements AutoCloseable
{
    /** How a pool picks the slot an acquiring thread tries first. */
    public enum SlotSelection
    {
        /** The slot of the current CPU ({@code sched_getcpu}); where that is unavailable, {@link #THREAD}. */
        CPU,
        /** The slot given by a hash of the thread id. */
        THREAD,
        /** The top of a lock-free LIFO stack of free slots. */
        FREE_LIST
    }

    /** The most slots a pool may have. */
    public static final int MAX_SLOTS = 4096;

    private static final int FREE = 0;
    private static final int HELD = 1;
    private static final int CLOSED = 2;
    /** A spare slot not made yet. */
    private static final int ABSENT = 3;
    /** ints per cache line: each slot's state sits on its own line. */
    private static final int STRIDE = 16;
    /** Passes over the slots spinning: a slot is held for one page's compression, microseconds. */
    private static final int SPINS = 32;
    /**
     * Further passes, each after a {@link Thread#yield()}, before blocking: with more runnable threads than CPUs a
     * held slot's holder is often preempted, and yielding lets it run and release on this CPU, where parking would
     * put the waiter through a futex sleep and wake-up per page.
     */
    private static final int YIELDS = 64;
    private static final long CLOSE_POLL_NANOS = 100_000;
    private static final int CLOSE_WAIT_SECONDS = 10;
    private static final int NO_SLOT = -1;
    private static final long INDEX_MASK = 0xFFFF_FFFFL;

    private final CompressorSlot[] slots;
    /** Slots made so far, primary then spares; slots[0, live) are set. Written under growLock. */
    private volatile int live;
    private final int primary;
    private final Supplier<? extends Codec> codecs;
    private final ReentrantLock growLock = new ReentrantLock();
    /** Set (under growLock) once a spare could not be made, or the pool closes: no more spares. */
    private boolean growthStopped;
    private final AtomicIntegerArray states;
    private final SlotSelection selection;
    private final int maxPageSize;
    private final Arena arena;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** FREE_LIST only: (version << 32) | (top slot + 1), 0 in the low half meaning empty. */
    private final AtomicLong freeListHead = new AtomicLong();
    /** FREE_LIST only: next[i] is the slot below slot i on the stack, or NO_SLOT. */
    private final int[] next;
    /** Acquires that found every slot held and no spare left, and waited. */
    private final LongAdder waits = new LongAdder();
    /** Threads blocked in acquire; releases signal only when there are any. */
    private final AtomicInteger waiters = new AtomicInteger();
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition slotReleased = waitLock.newCondition();

    private CompressorPool(
        final Supplier<? extends Codec> codecs, final int slotCount, final int spares, final int maxPageSize,
        final SlotSelection selection)
    {
        this.selection = selection == SlotSelection.CPU && !CurrentCpu.isAvailable() ? SlotSelection.THREAD :
            selection;
        this.maxPageSize = maxPageSize;
        this.codecs = codecs;
        this.primary = slotCount;
        final int capacity = slotCount + spares;
        this.states = new AtomicIntegerArray(capacity * STRIDE);
        for (int i = slotCount; i < capacity; i++)
        {
            states.set(i * STRIDE, ABSENT);
        }
        this.slots = new CompressorSlot[capacity];
        this.next = new int[capacity];
        this.arena = Arena.ofShared();
        try
        {
            for (int i = 0; i < slotCount; i++)
            {
                slots[i] = newSlot(i);
            }
            live = slotCount;
        }
        catch (final RuntimeException | Error ex)
        {
            closeCodecs();
            arena.close();
            throw ex;
        }
        for (int i = slotCount - 1; i >= 0; i--)
        {
            push(i);
        }
    }

    /**
     * {@return a pool of one slot per available processor and no spares, for pages of {@value PageSizes#MIN}
     * bytes, choosing slots by CPU}
     *
     * @param spec the codec every slot gets.
     */
    public static CompressorPool create(final CodecSpec spec)
    {
        return create(spec, Runtime.getRuntime().availableProcessors(), PageSizes.MIN);
    }

    /**
     * {@return a pool choosing slots by CPU, without spares}
     *
     * @param spec        the codec every slot gets.
     * @param slots       the number of slots, 1 to {@value #MAX_SLOTS}; usually
     *                    {@code Runtime.getRuntime().availableProcessors()}.
     * @param maxPageSize the largest page compressed through the pool, a power of two from {@value PageSizes#MIN}
     *                    to {@value PageSizes#MAX}; sizes the buffers.
     * @throws IllegalArgumentException if a count is out of range.
     */
    public static CompressorPool create(final CodecSpec spec, final int slots, final int maxPageSize)
    {
        return create(spec, slots, maxPageSize, SlotSelection.CPU);
    }

    /**
     * {@return the pool}
     *
     * @param spec        the codec every slot gets.
     * @param slots       the number of slots, 1 to {@value #MAX_SLOTS}.
     * @param maxPageSize the largest page, a power of two from {@value PageSizes#MIN} to {@value PageSizes#MAX}.
     * @param selection   how an acquiring thread picks its first slot.
     * @throws IllegalArgumentException if a count is out of range.
     */
    public static CompressorPool create(
        final CodecSpec spec, final int slots, final int maxPageSize, final SlotSelection selection)
    {
        Objects.requireNonNull(spec, "spec");
        return create(spec::newCodec, slots, 0, maxPageSize, selection);
    }

    /**
     * {@return a pool without spares: exactly {@code slots} codecs, made here}
     *
     * @param codecs      makes each slot's codec: a codec of the caller's own, or one wrapped to inject faults.
     * @param slots       the number of slots, 1 to {@value #MAX_SLOTS}.
     * @param maxPageSize the largest page, a power of two from {@value PageSizes#MIN} to {@value PageSizes#MAX}.
     * @param selection   how an acquiring thread picks its first slot.
     * @throws IllegalArgumentException if a count is out of range.
     */
    public static CompressorPool create(
        final Supplier<? extends Codec> codecs, final int slots, final int maxPageSize,
        final SlotSelection selection)
    {
        return create(codecs, slots, 0, maxPageSize, selection);
    }

    /**
     * {@return the pool}
     *
     * @param codecs      makes each slot's codec (called {@code slots} times, here, and once per spare made): a
     *                    codec of the caller's own, or one wrapped to inject faults in tests.
     * @param slots       the number of slots made up front, 1 to {@value #MAX_SLOTS}.
     * @param spares      the most slots made later, each when an acquire finds every slot held, 0 or more;
     *                    {@code slots + spares} at most {@value #MAX_SLOTS}.
     * @param maxPageSize the largest page, a power of two from {@value PageSizes#MIN} to {@value PageSizes#MAX}.
     * @param selection   how an acquiring thread picks its first slot.
     * @throws IllegalArgumentException if a count is out of range.
     */
    public static CompressorPool create(
        final Supplier<? extends Codec> codecs, final int slots, final int spares, final int maxPageSize,
        final SlotSelection selection)
    {
        Objects.requireNonNull(codecs, "codecs");
        Objects.requireNonNull(selection, "selection");
        if (slots < 1 || slots > MAX_SLOTS)
        {
            throw new IllegalArgumentException("slots must be 1 to " + MAX_SLOTS + ", got " + slots);
        }
        if (spares < 0 || spares > MAX_SLOTS - slots)
        {
            throw new IllegalArgumentException("spares must be 0 to " + (MAX_SLOTS - slots) + " (slots + spares at " +
                "most " + MAX_SLOTS + "), got " + spares);
        }
        PageSizes.checkPageSize("maxPageSize", maxPageSize);
        return new CompressorPool(codecs, slots, spares, maxPageSize, selection);
    }

    /**
     * Takes a slot, waiting while all are held.
     *
     * @return a slot held by the caller until its {@link CompressorSlot#close()}.
     * @throws IllegalStateException if the pool is closed.
     */
    public CompressorSlot acquire()
    {
        ensureOpen();
        final CompressorSlot free = tryAcquire();
        if (free != null)
        {
            return free;
        }
        final CompressorSlot spare = live < slots.length ? makeSpare() : null;
        if (spare != null)
        {
            return spare;
        }
        waits.increment();
        for (int attempt = 0; attempt < SPINS + YIELDS; attempt++)
        {
            final CompressorSlot slot = tryAcquire();
            if (slot != null)
            {
                return slot;
            }
            if (attempt < SPINS)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
        return acquireWaiting();
    }

    /**
     * {@return the number of slots made up front}
     */
    public int slots()
    {
        return primary;
    }

    /**
     * {@return the most slots the pool may have, spares included: slot indexes are below it}
     */
    public int capacity()
    {
        return slots.length;
    }

    /**
     * {@return the slots made so far, hence of codec contexts: {@link #slots()} plus the spares made}
     */
    public int liveSlots()
    {
        return live;
    }

    /**
     * {@return how many acquires found every slot held with no spare left to make, and waited: more runnable threads
     * than slots and spares}
     */
    public long waits()
    {
        return waits.sum();
    }

    /**
     * {@return the largest page the pool's buffers are sized for}
     */
    public int maxPageSize()
    {
        return maxPageSize;
    }

    /**
     * {@return how this pool picks slots ({@link SlotSelection#THREAD} when CPU was asked but is unavailable)}
     */
    public SlotSelection selection()
    {
        return selection;
    }

    /**
     * Waits for held slots to come back, then frees every codec and buffer. Idempotent.
     *
     * @throws IllegalStateException if a slot is still held after {@value #CLOSE_WAIT_SECONDS} s; the pool then
     *                               stays closed for acquiring and keeps its memory.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        signal(true);
        growLock.lock();
        try
        {
            growthStopped = true;
        }
        finally
        {
            growLock.unlock();
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
        final int made = live;
        for (int i = 0; i < made; i++)
        {
            final int at = i * STRIDE;
            while (!states.compareAndSet(at, FREE, CLOSED))
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("compressor pool closed while slot " + i +
                        " is still held after " + CLOSE_WAIT_SECONDS + " s; its codecs and buffers are not freed");
                }
                LockSupport.parkNanos(CLOSE_POLL_NANOS);
            }
        }
        closeCodecs();
        arena.close();
    }

    void checkHeld(final int index)
    {
        if (states.get(index * STRIDE) != HELD)
        {
            throw new IllegalStateException("compressor slot " + index + " used after it was released");
        }
    }

    void release(final int index)
    {
        if (!states.compareAndSet(index * STRIDE, HELD, FREE))
        {
            throw new IllegalStateException("compressor slot " + index + " released but not held");
        }
        if (selection == SlotSelection.FREE_LIST)
        {
            push(index);
        }
        if (waiters.get() > 0)
        {
            signal(false);
        }
    }

    private void signal(final boolean all)
    {
        waitLock.lock();
        try
        {
            if (all)
            {
                slotReleased.signalAll();
            }
            else
            {
                slotReleased.signal();
            }
        }
        finally
        {
            waitLock.unlock();
        }
    }

    private CompressorSlot tryAcquire()
    {
        return selection == SlotSelection.FREE_LIST ? pop() : probe();
    }

    /** One pass over all slots made from the preferred one; null if every slot is held. */
    private CompressorSlot probe()
    {
        final int count = live;
        int index = (selection == SlotSelection.CPU ? CurrentCpu.id() : CurrentCpu.threadStripe()) % primary;
        for (int i = 0; i < count; i++)
        {
            final int at = index * STRIDE;
            if (states.get(at) == FREE && states.compareAndSet(at, FREE, HELD))
            {
                return slots[index];
            }
            if (++index == count)
            {
                index = 0;
            }
        }
        return null;
    }

    /** The free-list top; null if the list is empty. */
    private CompressorSlot pop()
    {
        while (true)
        {
            final long head = freeListHead.get();
            final int top = (int)(head & INDEX_MASK) - 1;
            if (top == NO_SLOT)
            {
                return null;
            }
            final long below = next[top] + 1;
            if (freeListHead.compareAndSet(head, ((head >>> 32) + 1) << 32 | below))
            {
                if (!states.compareAndSet(top * STRIDE, FREE, HELD))
                {
                    throw new IllegalStateException("compressor pool is closed");
                }
                return slots[top];
            }
        }
    }

    /**
     * Blocks until a slot is released. A releaser signals whenever it sees a waiter; a waiter counts itself before
     * its last look at the slots, so a release either happens before that look or sees the waiter: no lost wakeup.
     */
    private CompressorSlot acquireWaiting()
    {
        waiters.incrementAndGet();
        waitLock.lock();
        try
        {
            while (true)
            {
                ensureOpen();
                final CompressorSlot slot = tryAcquire();
                if (slot != null)
                {
                    return slot;
                }
                slotReleased.awaitUninterruptibly();
            }
        }
        finally
        {
            waitLock.unlock();
            waiters.decrementAndGet();
        }
    }

    /**
     * Makes the next spare and hands it out held, unless another thread made one meanwhile that is free, the spares
     * are used up, or growth stopped.
     *
     * @return a held slot, or null.
     */
    private CompressorSlot makeSpare()
    {
        growLock.lock();
        try
        {
            // another thread may have made a spare, or a holder released, while this one waited for the lock
            final CompressorSlot free = tryAcquire();
            if (free != null || growthStopped || live == slots.length)
            {
                return free;
            }
            final int index = live;
            final CompressorSlot slot;
            try
            {
                slot = newSlot(index);
            }
            catch (final RuntimeException ex)
            {
                // the slots made keep serving: a put waits for one rather than fail for want of an extra context
                growthStopped = true;
                return null;
            }
            slots[index] = slot;
            states.set(index * STRIDE, HELD);
            live = index + 1;
            return slot;
        }
        finally
        {
            growLock.unlock();
        }
    }

    /** A slot with a new codec and buffers from the pool's arena. */
    private CompressorSlot newSlot(final int index)
    {
        final Codec codec = Objects.requireNonNull(codecs.get(), "codec factory returned null");
        try
        {
            final MemorySegment output = arena.allocate(codec.maxCompressedLength(maxPageSize), 64);
            final MemorySegment scratch = arena.allocate(maxPageSize, PageSizes.MIN);
            return new CompressorSlot(this, index, codec, output, scratch);
        }
        catch (final RuntimeException | Error ex)
        {
            codec.close();
            throw ex;
        }
    }

    private void push(final int index)
    {
        while (true)
        {
            final long head = freeListHead.get();
            next[index] = (int)(head & INDEX_MASK) - 1;
            if (freeListHead.compareAndSet(head, ((head >>> 32) + 1) << 32 | (index + 1)))
            {
                return;
            }
        }
    }

    private void ensureOpen()
    {
        if (closed.get())
        {
            throw new IllegalStateException("compressor pool is closed");
        }
    }

    private void closeCodecs()
    {
        for (final CompressorSlot slot : slots)
        {
            if (slot != null)
            {
                slot.closeCodec();
            }
        }
    }
}
