package org.tmem4j.frontend.frontswap;

import java.lang.foreign.MemorySegment;

/**
 * A swap area's side of writeback: a backend hands it the coldest page of the area's pool, and the area writes it
 * into the page's own slot of its swap file. A backend that supports writeback receives one with
 * {@link org.tmem4j.frontend.Backend#createPersistentPool(int, SlotWriteback)}.
 */
@FunctionalInterface
public interface SlotWriteback
{
    /**
     * Writes a page the backend holds back to its slot, and marks the slot as no longer in the backend once the write
     * succeeded. The backend frees its copy only if this returns {@code true}; a {@code false} keeps the page where
     * it is (the slot is busy, no longer in the backend, or the write failed).
     *
     * @param a     the page's object id, first word, as the area put it.
     * @param b     object id, second word.
     * @param c     object id, third word.
     * @param index the page index, as the area put it.
     * @param page  the page, decompressed: exactly {@value SwapArea#PAGE_SIZE} bytes.
     * @return whether the page is now in the file and the backend may free its copy.
     */
    boolean writeBack(long a, long b, long c, int index, MemorySegment page);
}
