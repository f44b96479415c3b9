package org.tmem4j.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.tmem4j.concurrent.CurrentCpu;
import org.tmem4j.tmem.PageSizes;

/**
 * A bounded pool of compressor slots shared by any number of threads, virtual ones included: the JVM counterpart of
 * the kernel's per-CPU compression streams. Each {@link CompressorSlot} owns one {@link Codec} (its native context)
 * and off-heap output and scratch buffers; the pool creates exactly {@code slots} of them up front and never more,
 * so ten thousand virtual threads compressing at once still share {@code slots} contexts (a thread-local would
 * make ten thousand).
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
 * <b>Waiting.</b> {@link #acquire()} never creates a context and, while a slot is free, never allocates or locks.
 * When every slot is held (more runnable threads than slots) it makes a few more passes spinning, then passes
 * yielding the CPU (a holder that was preempted gets to run and release), and only then blocks on a condition that
 * the next release signals: a blocked virtual thread unmounts and frees its carrier, and no waiter sleeps
 * through a release (polling with sleeps instead costs a whole sleep per page when threads outnumber slots).
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
    private final AtomicIntegerArray states;
    private final SlotSelection selection;
    private final int maxPageSize;
    private final Arena arena;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** FREE_LIST only: (version << 32) | (top slot + 1), 0 in the low half meaning empty. */
    private final AtomicLong freeListHead = new AtomicLong();
    /** FREE_LIST only: next[i] is the slot below slot i on the stack, or NO_SLOT. */
    private final int[] next;
    /** Threads blocked in acquire; releases signal only when there are any. */
    private final AtomicInteger waiters = new AtomicInteger();
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition slotReleased = waitLock.newCondition();

    private CompressorPool(
        final Supplier<? extends Codec> codecs, final int slotCount, final int maxPageSize,
        final SlotSelection selection)
    {
        this.selection = selection == SlotSelection.CPU && !CurrentCpu.isAvailable() ? SlotSelection.THREAD :
            selection;
        this.maxPageSize = maxPageSize;
        this.states = new AtomicIntegerArray(slotCount * STRIDE);
        this.slots = new CompressorSlot[slotCount];
        this.next = new int[slotCount];
        this.arena = Arena.ofShared();
        try
        {
            for (int i = 0; i < slotCount; i++)
            {
                final Codec codec = Objects.requireNonNull(codecs.get(), "codec factory returned null");
                final MemorySegment output = arena.allocate(codec.maxCompressedLength(maxPageSize), 64);
                final MemorySegment scratch = arena.allocate(maxPageSize, PageSizes.MIN);
                slots[i] = new CompressorSlot(this, i, codec, output, scratch);
            }
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
     * {@return a pool of one slot per available processor, for pages of {@value PageSizes#MIN} bytes, choosing
     * slots by CPU}
     *
     * @param spec the codec every slot gets.
     */
    public static CompressorPool create(final CodecSpec spec)
    {
        return create(spec, Runtime.getRuntime().availableProcessors(), PageSizes.MIN);
    }

    /**
     * {@return a pool choosing slots by CPU}
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
        return create(spec::newCodec, slots, maxPageSize, selection);
    }

    /**
     * {@return the pool}
     *
     * @param codecs      makes each slot's codec (called {@code slots} times, here): a codec of the caller's own,
     *                    or one wrapped to inject faults in tests.
     * @param slots       the number of slots, 1 to {@value #MAX_SLOTS}.
     * @param maxPageSize the largest page, a power of two from {@value PageSizes#MIN} to {@value PageSizes#MAX}.
     * @param selection   how an acquiring thread picks its first slot.
     * @throws IllegalArgumentException if a count is out of range.
     */
    public static CompressorPool create(
        final Supplier<? extends Codec> codecs, final int slots, final int maxPageSize,
        final SlotSelection selection)
    {
        Objects.requireNonNull(selection, "selection");
        if (slots < 1 || slots > MAX_SLOTS)
        {
            throw new IllegalArgumentException("slots must be 1 to " + MAX_SLOTS + ", got " + slots);
        }
        PageSizes.checkPageSize("maxPageSize", maxPageSize);
        return new CompressorPool(codecs, slots, maxPageSize, selection);
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
     * {@return the number of slots, hence of codec contexts}
     */
    public int slots()
    {
        return slots.length;
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
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
        for (int i = 0; i < slots.length; i++)
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

    /** One pass over all slots from the preferred one; null if every slot is held. */
    private CompressorSlot probe()
    {
        final int count = slots.length;
        int index = (selection == SlotSelection.CPU ? CurrentCpu.id() : CurrentCpu.threadStripe()) % count;
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
