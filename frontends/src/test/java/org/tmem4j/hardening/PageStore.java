package org.tmem4j.hardening;

import java.lang.foreign.MemorySegment;

/**
 * The four page operations the traffic generator drives, so that one checker runs against the engine directly and
 * against a frontend's backend alike. Pool ids, object ids and indexes mean what they mean in tmem.
 */
interface PageStore
{
    /**
     * @return 0 when stored, a negative reason otherwise.
     */
    int put(int pool, long a, long b, long c, int index, MemorySegment page);

    /**
     * @return whether {@code dst} received the page.
     */
    boolean get(int pool, long a, long b, long c, int index, MemorySegment dst);

    /**
     * @return whether the page was there.
     */
    boolean flushPage(int pool, long a, long b, long c, int index);

    /**
     * @return how many pages of the object were dropped.
     */
    int flushObject(int pool, long a, long b, long c);
}
