package org.tmem4j.memory;

import org.tmem4j.concurrent.PaddedSpinLock;

/**
 * One CPU's stack of free pages for {@link PageMemory}, guarded by its own lock ({@link PaddedSpinLock}): a word
 * that {@link #tryLock()} sets with one compare-and-set, so a thread never waits for a holder that lost its CPU (it
 * takes another cache), and which, unlike a monitor, never inflates into a parked queue after one contended moment.
 * <p>
 * Two CPUs working on their own caches must share no written cache line, or every allocate and free would move a
 * line between cores and two threads would run slower than one. So the fields sit between 64 bytes of padding on
 * each side (the superclass and subclass layout keeps the order: padding, fields, padding), and the page ids live in
 * the middle of an array with 64 bytes of slack at either end: the lock word, the count and the ids of one cache
 * never share a line with another cache's.
 */
final class PageCache extends PageCacheFields
{
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7;

    PageCache(final int capacity)
    {
        super(capacity);
    }

    /** {@return whether no page is cached} */
    boolean isEmpty()
    {
        return count == 0;
    }

    /** {@return whether the cache holds its capacity} */
    boolean isFull()
    {
        return count == capacity;
    }

    /** {@return the most recently cached page, taken off the stack; the cache must not be empty} */
    int pop()
    {
        return pages[SLACK + --count];
    }

    /** Caches a page; the cache must not be full. */
    void push(final int page)
    {
        pages[SLACK + count++] = page;
    }

    /** {@return pages cached now (read without the monitor: exact only while the cache is not changing)} */
    int count()
    {
        return count;
    }

    /** Forgets every cached page (the page memory is closing). */
    void clear()
    {
        count = 0;
    }
}

/** The fields of a {@link PageCache}, after its lock word and the padding before it. */
abstract class PageCacheFields extends PaddedSpinLock
{
    /** Ints of slack before and after the page ids in {@link #pages}: one cache line each. */
    static final int SLACK = 16;

    final int capacity;
    final int[] pages;
    int count;

    PageCacheFields(final int capacity)
    {
        this.capacity = capacity;
        this.pages = new int[capacity + 2 * SLACK];
    }
}
