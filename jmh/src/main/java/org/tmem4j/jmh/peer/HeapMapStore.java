package org.tmem4j.jmh.peer;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simplest thing a Java user would write: a {@code ConcurrentHashMap<Long, byte[]>} of LZ4-compressed pages on
 * the heap. Its memory is all heap (boxed keys, map nodes, array headers), so it holds no native bytes.
 */
final class HeapMapStore implements PageStore
{
    /** The name it is chosen by. */
    static final String NAME = "heap-map";

    private final ConcurrentHashMap<Long, byte[]> pages;

    HeapMapStore(final int expectedPages)
    {
        pages = new ConcurrentHashMap<>(expectedPages);
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public boolean put(final long key, final MemorySegment page)
    {
        pages.put(key, Lz4Pages.compress(page));
        return true;
    }

    @Override
    public boolean get(final long key, final MemorySegment dst)
    {
        final byte[] compressed = pages.get(key);
        if (compressed == null)
        {
            return false;
        }
        Lz4Pages.decompress(compressed, dst);
        return true;
    }

    @Override
    public long offHeapBytes()
    {
        return 0;
    }

    @Override
    public void close()
    {
        pages.clear();
    }
}
