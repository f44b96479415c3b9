package org.tmem4j.jmh.peer;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The simplest thing a Java user would write: a {@code ConcurrentHashMap<Long, byte[]>} of LZ4-compressed pages on
 * the heap. Its memory is all heap (boxed keys, map nodes, array headers), so it holds no native bytes.
 */
final class HeapMapStore extends CompressedPageStore
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
    void putValue(final long key, final byte[] value)
    {
        pages.put(key, value);
    }

    @Override
    byte[] getValue(final long key)
    {
        return pages.get(key);
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
