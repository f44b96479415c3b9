package org.tmem4j.tmem;

/**
 * What {@link TmemPool#read} calls with a stored value while the bucket lock keeps it from being freed: the backend
 * decodes the page into the caller's buffer.
 *
 * @param <C> the per-call context (destination and scratch), so a reader held in a field needs no capture.
 */
@FunctionalInterface
public interface PageReader<C>
{
    /**
     * Reads a stored page's value, under the bucket lock that keeps it alive.
     *
     * @param value   the stored value (never {@link TmemPool#EMPTY}).
     * @param context what the caller passed.
     */
    void read(long value, C context);
}
