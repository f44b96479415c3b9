package org.tmem4j.frontend.frontswap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

import org.tmem4j.concurrent.CpuCounters;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.Failures;
import org.tmem4j.frontend.Registration;

/**
 * One swap area (a {@code swapon}): a real backing file of 4 KiB page slots, with a compressed RAM tier in front of
 * it when a backend is registered.
 * <pre>
 *   slot:        0    1    2    3    4   ...  slots-1
 *   allocated    1    1    0    1    1          bits: taken by allocateSlot(), given back by freeSlot()
 *   holding      1    1    0    0    1          bits: the slot holds a page that load() returns
 *   inBackend    1    0    0    0    1          bits: that page lives in the backend (the kernel's frontswap_map)
 *   swap file  [ ?  | p1 |    |    | ?  ]       a holding slot not in the backend has its page here
 * </pre>
 * <b>Store</b> tries the backend and, if it refuses, fails or is absent, writes the file; with writethrough it
 * writes the file too. A store over a slot already in the backend is one backend put, which replaces the old copy
 * or, failing, drops it (the {@link Backend} contract), so a failed store never leaves a stale copy to load. A
 * backend that {@linkplain Backend#mayVanish() may vanish} (a host daemon) always gets writethrough.
 * <b>Load</b> reads the backend when the slot's bit is
 * set, else the file. With <b>exclusive gets</b> a load takes the page out of the slot: the backend copy is freed
 * and the slot holds nothing until stored again (the kernel dirtied the page in RAM for the same reason).
 * <p>
 * <b>Persistent data is never lost.</b> Every page a store accepted is in the backend or in the file: a backend
 * that refuses or throws gets its page written to the file, {@link #shrink(long)} and unregistration copy pages
 * back to the file before dropping them from the backend; a page the file cannot take (full, failing) stays in the
 * backend, which then stays registered. The file is the one opened at swapon until swapoff (see {@code SlotFile}):
 * interrupts, and the path deleted or replaced, change nothing.
 * <p>
 * <b>Threads.</b> Operations on different slots run in parallel; operations on one slot are serialized by one of
 * 64 striped locks (the kernel relied on the swap-cache page lock), which also orders them against shrinking and
 * unregistration. The backend binding is read under that lock, and unregistration passes through every stripe
 * after the backend stops being live, so no operation can put a page into a backend that is leaving.
 * <p>
 * Object ids spread the slots over 256 backend objects ({@code a = slot & 0xff}, index {@code slot >>> 8}), as
 * zcache did, so concurrent stores hash to different buckets.
 */
public final class SwapArea implements AutoCloseable
{
    /** Size of a page and of a slot in bytes. */
    public static final int PAGE_SIZE = 4096;
    /** Answer of {@link #allocateSlot()} when every slot is taken. */
    public static final int NO_SLOT = -1;

    private static final int STRIPES = 64;
    private static final int SWIZZLE_BITS = 8;
    private static final int SWIZZLE_MASK = (1 << SWIZZLE_BITS) - 1;

    /**
     * Where the area's pages go in a backend: the registration, the persistent pool it gave this area, and whether
     * stores write through to the file (configured, or forced by a backend that {@linkplain Backend#mayVanish() may
     * vanish}).
     */
    private record Binding(Registration registration, int pool, boolean writethrough)
    {
        Backend backend()
        {
            return registration.backend();
        }
    }

    private final Frontswap frontswap;
    private final FrontswapCounters counters;
    private final int id;
    private final int slots;
    private final boolean exclusiveGets;
    private final boolean writethrough;
    private final boolean trackActivity;
    private final Path path;
    private final SlotFile file;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final SlotBitmap allocated;
    private final SlotBitmap holding;
    private final SlotBitmap inBackend;
    /** The area's page count and selfshrink's activity, striped by CPU as the frontend's counters are. */
    private final CpuCounters counts = new CpuCounters(2);
    private final CpuCounters.Counter currPages = counts.counter(0);
    private final CpuCounters.Counter activity = counts.counter(1);
    private volatile Binding bound;
    private volatile boolean closed;
    private volatile int allocationHint;
    private long lastActivity;
    private int quietTicks;

    SwapArea(final Frontswap frontswap, final FrontswapCounters counters, final int id, final Path path,
        final int slots, final boolean exclusiveGets, final boolean writethrough, final boolean trackActivity)
    {
        this.frontswap = frontswap;
        this.counters = counters;
        this.id = id;
        this.slots = slots;
        this.exclusiveGets = exclusiveGets;
        this.writethrough = writethrough;
        this.trackActivity = trackActivity;
        this.allocated = new SlotBitmap(slots);
        this.holding = new SlotBitmap(slots);
        this.inBackend = new SlotBitmap(slots);
        for (int i = 0; i < STRIPES; i++)
        {
            locks[i] = new ReentrantLock();
        }
        this.path = path;
        this.file = SlotFile.open(path, PAGE_SIZE, toString());
    }

    /**
     * {@return a free slot, now allocated, or {@link #NO_SLOT} if the area is full}
     *
     * @throws IllegalStateException if the area is closed.
     */
    public int allocateSlot()
    {
        requireOpen();
        final int slot = allocated.setFirstClear(allocationHint);
        if (slot >= 0)
        {
            allocationHint = slot + 1 == slots ? 0 : slot + 1;
        }
        return slot;
    }

    /**
     * Drops the slot's page, wherever it is, and gives the slot back.
     *
     * @param slot an allocated slot.
     */
    public void freeSlot(final int slot)
    {
        final ReentrantLock lock = lockAllocated(slot);
        try
        {
            drop(slot);
            allocated.clear(slot);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Stores a page in a slot: in the backend if it takes it, else (and with writethrough, also) in the file.
     *
     * @param slot an allocated slot.
     * @param page exactly {@value #PAGE_SIZE} bytes.
     * @return whether the backend holds the page.
     * @throws java.io.UncheckedIOException if the page had to go to the file and writing it failed; the slot then
     *                                      holds nothing.
     */
    public boolean store(final int slot, final MemorySegment page)
    {
        requirePage(page, "page");
        final ReentrantLock lock = lockAllocated(slot);
        try
        {
            touch();
            final Binding binding = bound;
            final boolean live = binding != null && binding.registration().isLive();
            final boolean inRam;
            if (live)
            {
                // a put replaces the old copy, or drops it if it fails: one backend call either way
                inRam = put(binding, slot, page);
            }
            else
            {
                if (inBackend.get(slot))
                {
                    dropFromBackend(binding, slot);
                }
                counters.skippedStores.increment();
                inRam = false;
            }
            if (!inRam || binding.writethrough())
            {
                writeFile(binding, slot, page, inRam);
            }
            if (!holding.get(slot))
            {
                holding.set(slot);
            }
            return inRam;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Loads a slot's page.
     *
     * @param slot an allocated slot.
     * @param dst  receives the page; exactly {@value #PAGE_SIZE} writable bytes.
     * @return whether the slot held a page (it does not if it was never stored, was invalidated, or was taken by an
     * exclusive load).
     * @throws IllegalStateException if the backend lost a page it had accepted (a backend bug) and no copy is in
     *                               the file.
     * @throws java.io.UncheckedIOException if the page is in the file and reading it fails; the slot keeps it.
     */
    public boolean load(final int slot, final MemorySegment dst)
    {
        requirePage(dst, "dst");
        if (dst.isReadOnly())
        {
            throw new IllegalArgumentException("dst is read-only; give a writable segment to load the page into");
        }
        final ReentrantLock lock = lockAllocated(slot);
        try
        {
            touch();
            if (!holding.get(slot))
            {
                return false;
            }
            if (inBackend.get(slot) && loadFromBackend(slot, dst))
            {
                counters.loads.increment();
            }
            else
            {
                file.read(slot, dst);
                counters.fileLoads.increment();
            }
            if (exclusiveGets)
            {
                holding.clear(slot);
            }
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Drops a slot's page (the slot stays allocated): the kernel's {@code frontswap_invalidate_page}.
     *
     * @param slot an allocated slot.
     */
    public void invalidatePage(final int slot)
    {
        final ReentrantLock lock = lockAllocated(slot);
        try
        {
            drop(slot);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Drops every page and frees every slot: the kernel's {@code frontswap_invalidate_area}.
     */
    public void invalidateArea()
    {
        lockAll();
        try
        {
            requireOpen();
            dropAll();
        }
        finally
        {
            unlockAll();
        }
    }

    /**
     * Writes pages back from the backend to the file until at most {@code target} remain in the backend.
     *
     * @param target how many pages may stay in the backend, {@code >= 0}.
     * @return how many pages were written back.
     */
    public long shrink(final long target)
    {
        if (target < 0)
        {
            throw new IllegalArgumentException("shrink target " + target + " is negative; give a page count >= 0");
        }
        long written = 0;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(PAGE_SIZE);
            for (int slot = inBackend.nextSet(0); slot >= 0 && currPages.sum() > target;
                slot = inBackend.nextSet(slot + 1))
            {
                if (writeBackLocked(null, slot, buffer))
                {
                    written++;
                }
            }
        }
        return written;
    }

    /**
     * {@return how many of this area's pages the backend holds (the kernel's {@code frontswap_curr_pages})}
     */
    public long currPages()
    {
        return currPages.sum();
    }

    /**
     * {@return whether the backend holds the slot's page (the kernel's {@code frontswap_test})}
     *
     * @param slot a slot.
     */
    public boolean isInBackend(final int slot)
    {
        requireSlot(slot);
        return inBackend.get(slot);
    }

    /**
     * {@return how many slots the area has}
     */
    public int slots()
    {
        return slots;
    }

    /**
     * {@return the backing file}
     */
    public Path file()
    {
        return path;
    }

    /**
     * {@return whether the area is swapped off}
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Swaps the area off: every page is dropped, the backend forgets the area, the file is closed (and kept).
     * Idempotent.
     */
    @Override
    public void close()
    {
        frontswap.swapOff(this);
    }

    @Override
    public String toString()
    {
        return "swap area " + id + " (" + path + ", " + slots + " slots)";
    }

    void closeUnderRegistryLock()
    {
        if (closed)
        {
            return;
        }
        final Failures failures = new Failures();
        final Binding binding = bound;
        lockAll();
        try
        {
            dropAll();
            closed = true;
            bound = null;
            // under every lock: no read or write can be using the descriptor
            failures.run(file::close);
        }
        finally
        {
            unlockAll();
        }
        if (binding != null)
        {
            failures.run(() -> binding.backend().destroyPool(binding.pool()));
        }
        failures.rethrow();
    }

    /**
     * Gives the area a pool in a registration that is being replayed or is live. Called under the registry lock.
     */
    void bind(final Registration registration)
    {
        if (!closed)
        {
            final Backend backend = registration.backend();
            bound = new Binding(registration, backend.createPersistentPool(PAGE_SIZE, this::writeBackFromBackend),
                writethrough || backend.mayVanish());
        }
    }

    /**
     * Moves every page out of a registration that is no longer live, into the file, dropping each from the backend
     * once it is written. Called under the registry lock, before {@link #unbind}. A page that cannot be written stays
     * in the backend, and its slot as it was, so that the registry can keep the backend registered.
     *
     * @throws IllegalStateException saying how many pages stay in the backend (and how many the backend had lost,
     *                               if any), with the first failure as its cause.
     */
    void writeBack(final Registration registration)
    {
        final Binding binding = bound;
        if (binding == null || binding.registration() != registration)
        {
            return;
        }
        // after this pass no store that saw the registration live is still running
        lockAll();
        unlockAll();
        int kept = 0;
        int lost = 0;
        RuntimeException first = null;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(PAGE_SIZE);
            for (int slot = inBackend.nextSet(0); slot >= 0; slot = inBackend.nextSet(slot + 1))
            {
                try
                {
                    writeBackLocked(binding, slot, buffer);
                }
                catch (final RuntimeException ex)
                {
                    if (inBackend.get(slot))
                    {
                        kept++;
                    }
                    else
                    {
                        lost++;
                    }
                    if (first == null)
                    {
                        first = ex;
                    }
                }
            }
        }
        if (first != null)
        {
            throw new IllegalStateException(kept + " pages of " + this + " could not be written back to its file "
                + "and stay in backend '" + binding.backend().name() + "'"
                + (lost > 0 ? ", " + lost + " pages the backend had lost are gone" : "")
                + "; first failure: " + first.getMessage(), first);
        }
    }

    /**
     * Gives back the pool of a registration that is no longer live, once {@link #writeBack} has emptied it (a
     * registration whose replay failed midway never took a page). Called under the registry lock.
     */
    void unbind(final Registration registration)
    {
        final Binding binding = bound;
        if (binding == null || binding.registration() != registration)
        {
            return;
        }
        writeBack(registration);
        bound = null;
        binding.backend().destroyPool(binding.pool());
    }

    /**
     * Shrinks by a twentieth once the area has been quiet for three looks in a row (Xen's selfshrink policy).
     * Called by one thread only.
     */
    void selfshrinkTick()
    {
        final long now = activity.sum();
        if (now != lastActivity)
        {
            lastActivity = now;
            quietTicks = 0;
            return;
        }
        final long pages = currPages.sum();
        if (++quietTicks >= 3 && pages > 0 && !closed)
        {
            shrink(pages - Math.max(1, pages / 20));
        }
    }

    /**
     * The backend's writeback of its coldest page ({@link SlotWriteback}): writes the page into its slot and only
     * then marks the slot as no longer in the backend. The backend calls this while it holds the page's own lock, so
     * the slot's lock is only tried: a slot busy with a store, load or invalidation (which may be waiting for the
     * backend) keeps its page in the backend.
     */
    private boolean writeBackFromBackend(final long a, final long b, final long c, final int index,
        final MemorySegment page)
    {
        if (b != 0 || c != 0 || a < 0 || a > SWIZZLE_MASK || index < 0)
        {
            return false;
        }
        final long slotNumber = (long)index << SWIZZLE_BITS | a;
        if (slotNumber >= slots)
        {
            return false;
        }
        final int slot = (int)slotNumber;
        final ReentrantLock lock = locks[slot & (STRIPES - 1)];
        // held by this thread: the backend is making room for a store of this stripe, maybe of this very slot,
        // whose bits that store is about to set from what it read before; leave the page where it is
        if (lock.isHeldByCurrentThread() || !lock.tryLock())
        {
            return false;
        }
        try
        {
            final Binding binding = bound;
            // a writethrough slot's page is in the file already; a slot no longer in the backend is not ours to write
            if (closed || binding == null || !inBackend.get(slot) || !holding.get(slot))
            {
                return false;
            }
            if (!binding.writethrough())
            {
                try
                {
                    file.write(slot, page);
                }
                catch (final RuntimeException ex)
                {
                    counters.writebackFailures.increment();
                    return false;
                }
                counters.fileWrites.increment();
            }
            inBackend.clear(slot);
            currPages.decrement();
            counters.writtenBack.increment();
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Writes a stored page to the file; if that fails the slot holds nothing (a copy the backend took for
     * writethrough is dropped too), so a later load cannot return an older page.
     */
    private void writeFile(final Binding binding, final int slot, final MemorySegment page, final boolean inRam)
    {
        try
        {
            file.write(slot, page);
            counters.fileWrites.increment();
        }
        catch (final RuntimeException ex)
        {
            if (inRam)
            {
                dropFromBackend(binding, slot);
            }
            holding.clear(slot);
            throw ex;
        }
    }

    private void touch()
    {
        if (trackActivity)
        {
            activity.increment();
        }
    }

    private boolean put(final Binding binding, final int slot, final MemorySegment page)
    {
        final boolean replacing = inBackend.get(slot);
        int result;
        try
        {
            result = binding.backend().put(binding.pool(), slot & SWIZZLE_MASK, 0, 0, slot >>> SWIZZLE_BITS, page);
        }
        catch (final RuntimeException ex)
        {
            // a failing backend must not lose the page: it goes to the file like any refused page, and whatever
            // the backend kept of the old copy is dropped so it can never be loaded
            counters.backendErrors.increment();
            result = -1;
            if (replacing)
            {
                binding.backend().invalidatePage(binding.pool(), slot & SWIZZLE_MASK, 0, 0, slot >>> SWIZZLE_BITS);
            }
        }
        if (result == Backend.STORED)
        {
            if (!replacing)
            {
                inBackend.set(slot);
                currPages.increment();
            }
            counters.succStores.increment();
            return true;
        }
        if (replacing)
        {
            inBackend.clear(slot);
            currPages.decrement();
        }
        counters.failedStores.increment();
        return false;
    }

    private void dropFromBackend(final Binding binding, final int slot)
    {
        binding.backend().invalidatePage(binding.pool(), slot & SWIZZLE_MASK, 0, 0, slot >>> SWIZZLE_BITS);
        inBackend.clear(slot);
        currPages.decrement();
    }

    private boolean loadFromBackend(final int slot, final MemorySegment dst)
    {
        final Binding binding = bound;
        final Backend backend = binding.backend();
        final int a = slot & SWIZZLE_MASK;
        final int index = slot >>> SWIZZLE_BITS;
        if (!backend.get(binding.pool(), a, 0, 0, index, dst))
        {
            if (!binding.writethrough())
            {
                throw new IllegalStateException("backend '" + backend.name() + "' lost the page of slot " + slot
                    + " of " + this + ", which it had accepted as persistent");
            }
            inBackend.clear(slot);
            currPages.decrement();
            return false;
        }
        if (exclusiveGets)
        {
            backend.invalidatePage(binding.pool(), a, 0, 0, index);
            inBackend.clear(slot);
            currPages.decrement();
        }
        return true;
    }

    /**
     * Writes one slot back under its lock if its page is still in the backend.
     *
     * @param binding the binding to write back from, or {@code null} for the current one.
     * @return whether a page was written back.
     */
    private boolean writeBackLocked(final Binding binding, final int slot, final MemorySegment buffer)
    {
        final ReentrantLock lock = locks[slot & (STRIPES - 1)];
        lock.lock();
        try
        {
            if (closed || !inBackend.get(slot))
            {
                return false;
            }
            writeBackSlot(binding == null ? bound : binding, slot, buffer);
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    private void writeBackSlot(final Binding binding, final int slot, final MemorySegment buffer)
    {
        final Backend backend = binding.backend();
        final int a = slot & SWIZZLE_MASK;
        final int index = slot >>> SWIZZLE_BITS;
        if (!binding.writethrough())
        {
            if (!backend.get(binding.pool(), a, 0, 0, index, buffer))
            {
                inBackend.clear(slot);
                holding.clear(slot);
                currPages.decrement();
                throw new IllegalStateException("backend '" + backend.name() + "' lost the page of slot " + slot
                    + " of " + this + ", which it had accepted as persistent");
            }
            file.write(slot, buffer);
            counters.fileWrites.increment();
        }
        backend.invalidatePage(binding.pool(), a, 0, 0, index);
        inBackend.clear(slot);
        currPages.decrement();
        counters.writtenBack.increment();
    }

    private void drop(final int slot)
    {
        if (inBackend.get(slot))
        {
            dropFromBackend(bound, slot);
            counters.invalidates.increment();
        }
        holding.clear(slot);
    }

    private void dropAll()
    {
        final Binding binding = bound;
        final int pages = inBackend.cardinality();
        if (binding != null && pages > 0)
        {
            for (int a = 0; a <= SWIZZLE_MASK; a++)
            {
                binding.backend().invalidateObject(binding.pool(), a, 0, 0);
            }
        }
        counters.invalidates.add(pages);
        currPages.add(-pages);
        inBackend.clearAll();
        holding.clearAll();
        allocated.clearAll();
        allocationHint = 0;
    }

    private ReentrantLock lockAllocated(final int slot)
    {
        requireSlot(slot);
        final ReentrantLock lock = locks[slot & (STRIPES - 1)];
        lock.lock();
        if (closed)
        {
            lock.unlock();
            throw new IllegalStateException(this + " is closed (swapped off)");
        }
        if (!allocated.get(slot))
        {
            lock.unlock();
            throw new IllegalArgumentException("slot " + slot + " of " + this
                + " is not allocated; take slots with allocateSlot()");
        }
        return lock;
    }

    private void requireSlot(final int slot)
    {
        if (slot < 0 || slot >= slots)
        {
            throw new IllegalArgumentException("slot " + slot + " is outside " + this + "; slots are 0.."
                + (slots - 1));
        }
    }

    private void requireOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(this + " is closed (swapped off)");
        }
    }

    private static void requirePage(final MemorySegment page, final String name)
    {
        if (page == null || page.byteSize() != PAGE_SIZE)
        {
            throw new IllegalArgumentException(name + " must be a segment of exactly " + PAGE_SIZE + " bytes, got "
                + (page == null ? "null" : page.byteSize() + " bytes"));
        }
    }

    private void lockAll()
    {
        for (final ReentrantLock lock : locks)
        {
            lock.lock();
        }
    }

    private void unlockAll()
    {
        for (int i = STRIPES - 1; i >= 0; i--)
        {
            locks[i].unlock();
        }
    }
}
