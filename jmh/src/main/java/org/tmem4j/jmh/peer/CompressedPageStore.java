package org.tmem4j.jmh.peer;

import java.lang.foreign.MemorySegment;

/**
 * A peer that keeps each page as an LZ4-compressed {@code byte[]} value ({@link Lz4Pages}) in some map: what the
 * peers share, so they differ only in where the values live.
 */
abstract class CompressedPageStore implements PageStore
{
    /**
     * @param key   the page's key.
     * @param value the compressed page, replacing what the key held.
     */
    abstract void putValue(long key, byte[] value);

    /**
     * @param key the page's key.
     * @return its compressed page, or null.
     */
    abstract byte[] getValue(long key);

    @Override
    public final boolean put(final long key, final MemorySegment page)
    {
        putValue(key, Lz4Pages.compress(page));
        return true;
    }

    @Override
    public final boolean get(final long key, final MemorySegment dst)
    {
        final byte[] compressed = getValue(key);
        if (compressed == null)
        {
            return false;
        }
        Lz4Pages.decompress(compressed, dst);
        return true;
    }
}
