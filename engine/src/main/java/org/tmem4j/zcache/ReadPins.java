package org.tmem4j.zcache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps a stored page's objects alive while a shared get decompresses them outside the bucket lock: the get pins the
 * page's value under the lock, and whoever removes the value from its pool meanwhile (an overwrite, a flush, an
 * eviction, a pool's destruction) hands the free over to the reader instead of freeing memory the reader is still
 * decompressing from; the reader frees it when it is done.
 * <pre>
 *   reader, slot i:  lock bucket; v = index[key]; claim an entry of line(v): CAS 0 -&gt; v; unlock
 *                    decompress v;  CAS entry v -&gt; 0;  fails (v|HANDED): entry = 0, free v
 *   remover:         lock bucket; index[key] = w (or none); unlock
 *                    for each entry of line(v) (and, if readers overflowed it, of every line): CAS v -&gt; v|HANDED
 *                    one succeeded: the reader frees v; else free v
 * </pre>
 * <b>Why it is safe.</b> A reader pins only a value it found in the index, under the bucket lock; a remover looks
 * after taking the value out under the same lock, so it sees every pin made before that (and every overflow count
 * that says where else to look), and no pin of the value can be made after it. The reader and the remover race on
 * one compare-and-set of the reader's entry, so exactly one of them frees: the reader, if the remover handed it over
 * before the reader was done; the remover otherwise, after the reader's unpin (whose reads of the object precede it).
 * A reader handed a free runs the whole free again, so another reader still pinning the same value (several gets of
 * one page at once) gets it next; the last one frees. The value stays allocated while pinned, so its handle cannot be
 * reused, and a pin can never match a later page.
 * <p>
 * <b>A line per value, not per reader.</b> Pins sit in a table of 128-byte lines indexed by a hash of the value, so a
 * free looks at the one line where its value's pins would be, however many compressor slots there are (one per CPU,
 * plus spares where threads outnumber CPUs: a table per slot made a free read a line per slot, written by gets on
 * other CPUs, hundreds on a many-core machine). A reader claims a free entry of its value's line; when all
 * {@value #ENTRIES} are taken (as many gets at once of values whose hashes meet) it takes one in the following lines
 * and counts itself in its own line's overflow count, which sends removers of that line's values through the whole
 * table until it leaves. There are at least as many lines as slots, so a line rarely has more than one reader, and the
 * table always has an entry for every slot. Pools whose gets are all exclusive (ephemeral pools, frontswap's exclusive
 * gets) never pin and their frees skip the look.
 */
final class ReadPins
{
    /** Longs from one line to the next: 128 bytes, so that neither a line nor its prefetched neighbour is shared. */
    private static final int STRIDE = 16;
    /** Pin entries per line: the first 64 bytes, less the overflow count. */
    private static final int ENTRIES = 7;
    /** Where in its line the count of readers that pinned a value of the line elsewhere is. */
    private static final int OVERFLOW = ENTRIES;
    /** Set on a pinned value by the remover that hands its free over to the reader. */
    private static final long HANDED = Long.MIN_VALUE;
    private static final long NONE = 0;
    private static final VarHandle PIN = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] table;
    private final int lineMask;
    /**
     * Per compressor slot, written and read by the slot's holder alone: the value it found under the lock (same-filled
     * ones included) and where its pin is, one stride apart so that no two slots' holders write a common line.
     */
    private final long[] readers;

    /**
     * @param slots the compressor slots that can be held at once (made and spare).
     */
    ReadPins(final int slots)
    {
        final int lines = Integer.highestOneBit(Math.max(1, slots) * 2 - 1);
        this.lineMask = lines - 1;
        // the first line is left empty: the array header's line holds no pin
        this.table = new long[(lines + 1) * STRIDE];
        this.readers = new long[(slots + 1) * STRIDE];
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
        final int reader = reader(slot);
        readers[reader] = value;
        if (value > 0)
        {
            // the bucket lock's release publishes the pin (and any overflow count) to a remover that takes it after
            readers[reader + 1] = claim(value);
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
        return readers[reader(slot)];
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
        final int entry = (int)readers[reader(slot) + 1];
        final boolean normal = PIN.compareAndSet(table, entry, value, NONE);
        if (!normal)
        {
            PIN.setRelease(table, entry, NONE);
        }
        final int home = line(value);
        if (entry - home >= ENTRIES || entry < home)
        {
            // pinned outside its line: leaves the line's overflow count only once its entry is empty again
            PIN.getAndAdd(table, home + OVERFLOW, -1L);
        }
        return normal;
    }

    /**
     * Hands the free of a value just taken out of its pool to a reader that still pins it.
     *
     * @param value a stored value (positive), no longer in any pool's index.
     * @return whether a reader took the free over (the caller then must not free the value).
     */
    boolean handOver(final long value)
    {
        final int home = line(value);
        if (handOverInLine(home, value))
        {
            return true;
        }
        if ((long)PIN.getAcquire(table, home + OVERFLOW) == 0)
        {
            return false;
        }
        for (int line = STRIDE; line < table.length; line += STRIDE)
        {
            if (line != home && handOverInLine(line, value))
            {
                return true;
            }
        }
        return false;
    }

    private boolean handOverInLine(final int line, final long value)
    {
        for (int entry = line; entry < line + ENTRIES; entry++)
        {
            if ((long)PIN.getAcquire(table, entry) == value && PIN.compareAndSet(table, entry, value, value | HANDED))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the index of the entry claimed for the value: in its own line if one is free, else in the next line
     * with a free entry, counted in its own line's overflow count first.
     */
    private int claim(final long value)
    {
        final int home = line(value);
        final int entry = claimInLine(home, value);
        if (entry >= 0)
        {
            return entry;
        }
        PIN.getAndAdd(table, home + OVERFLOW, 1L);
        // the table has an entry for every slot, and this reader holds one of the slots: a pass finds one free
        for (int line = next(home); ; line = next(line))
        {
            final int other = claimInLine(line, value);
            if (other >= 0)
            {
                return other;
            }
        }
    }

    private int next(final int line)
    {
        return line + STRIDE == table.length ? STRIDE : line + STRIDE;
    }

    private int claimInLine(final int line, final long value)
    {
        for (int entry = line; entry < line + ENTRIES; entry++)
        {
            if ((long)PIN.getOpaque(table, entry) == NONE && PIN.compareAndSet(table, entry, NONE, value))
            {
                return entry;
            }
        }
        return -1;
    }

    /**
     * @return the index of the first long of the line where a value's pins go (tests pick values that share one).
     */
    int line(final long value)
    {
        long h = value * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        return (((int)(h >>> 32) & lineMask) + 1) * STRIDE;
    }

    private static int reader(final int slot)
    {
        // the first stride is left empty: the array header's line holds no reader's state
        return (slot + 1) * STRIDE;
    }
}
