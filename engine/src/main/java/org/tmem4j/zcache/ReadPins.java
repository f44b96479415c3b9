package org.tmem4j.zcache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps a stored page's objects alive while a shared get decompresses them outside the bucket lock: the get pins the
 * page's value under the lock, and whoever removes the value from its pool meanwhile (an overwrite, a flush, an
 * eviction, a pool's destruction) hands the free over to the reader instead of freeing memory the reader is still
 * decompressing from; the reader frees it when it is done.
 * <pre>
 *   reader, slot i:  lock bucket; v = index[key]; pin[i] = v; unlock     decompress v    CAS pin[i] v -&gt; 0
 *                                                                                          fails: pin[i] = v|HANDED
 *                                                                                          -&gt; pin[i] = 0, free v
 *   remover:         lock bucket; index[key] = w (or none); unlock      for each pin j: CAS pin[j] v -&gt; v|HANDED
 *                                                                        one succeeded: the reader frees v; else free v
 * </pre>
 * <b>Why it is safe.</b> A reader pins only a value it found in the index, under the bucket lock; a remover scans
 * after taking the value out under the same lock, so it sees every pin made before that, and no pin of the value
 * can be made after it. The reader and the remover race on one compare-and-set of the reader's pin, so exactly one
 * of them frees: the reader, if the remover handed it over before the reader was done; the remover otherwise, after
 * the reader's unpin (whose reads of the object precede it). A reader handed a free runs the whole free again, so
 * another reader still pinning the same value (several gets of one page at once) gets it next; the last one frees.
 * The value stays allocated while pinned, so its handle cannot be reused, and a pin can never match a later page.
 * <p>
 * One pin per compressor slot: the slot a get holds makes its pin the get's alone, and a pin lives on its own
 * cache lines, so gets on different CPUs write no common line. A remover reads the pins of the slots made so far
 * (one per CPU, plus spares made when threads outnumbered CPUs); pools whose gets are all exclusive (ephemeral
 * pools, frontswap's exclusive gets) never pin and their frees skip the scan.
 */
final class ReadPins
{
    /** Longs from one pin to the next: 128 bytes, so that neither a line nor its prefetched neighbour is shared. */
    private static final int STRIDE = 16;
    /** Set on a pinned value by the remover that hands its free over to the reader. */
    private static final long HANDED = Long.MIN_VALUE;
    private static final long NONE = 0;
    /** Where, after a slot's pin, the value its holder found is kept for it (same-filled ones included). */
    private static final int FOUND = 1;
    private static final VarHandle PIN = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] pins;

    /**
     * @param slots the compressor slots that can be held at once (made and spare).
     */
    ReadPins(final int slots)
    {
        this.pins = new long[(slots + 1) * STRIDE];
    }

    /**
     * Pins a value for the holder of a compressor slot; called under the bucket lock of the page that holds it.
     *
     * @param slot  the compressor slot held.
     * @param value the value found: pinned if it holds memory; a same-filled one (negative) is only kept for
     *              {@link #found}.
     */
    void pin(final int slot, final long value)
    {
        final int at = at(slot);
        pins[at + FOUND] = value;
        if (value > 0)
        {
            // the bucket lock's release publishes the pin to any remover that takes the lock after it
            PIN.setRelease(pins, at, value);
        }
    }

    /**
     * {@return the value the holder of a compressor slot found under the lock (read back after it; the pin itself
     * may have been marked by a remover meanwhile)}
     *
     * @param slot the compressor slot held.
     */
    long found(final int slot)
    {
        return pins[at(slot) + FOUND];
    }

    /**
     * Ends a read.
     *
     * @param slot  the compressor slot held.
     * @param value the value pinned (positive).
     * @return {@code true} if the read ended normally; {@code false} if the value was removed meanwhile and its free
     * handed over: the caller must free it now (through {@link StoredPages#free}, which hands it on to any other
     * reader still pinning it).
     */
    boolean unpin(final int slot, final long value)
    {
        final int at = at(slot);
        if (PIN.compareAndSet(pins, at, value, NONE))
        {
            return true;
        }
        PIN.setRelease(pins, at, NONE);
        return false;
    }

    /**
     * Hands the free of a value just taken out of its pool to a reader that still pins it.
     *
     * @param value a stored value (positive), no longer in any pool's index.
     * @param slots the compressor slots made so far.
     * @return whether a reader took the free over (the caller then must not free the value).
     */
    boolean handOver(final long value, final int slots)
    {
        for (int slot = 0; slot < slots; slot++)
        {
            final int at = at(slot);
            if ((long)PIN.getAcquire(pins, at) == value && PIN.compareAndSet(pins, at, value, value | HANDED))
            {
                return true;
            }
        }
        return false;
    }

    private static int at(final int slot)
    {
        // the first stride is left empty: the array header's line holds no pin
        return (slot + 1) * STRIDE;
    }
}
