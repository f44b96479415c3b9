package org.tmem4j.jmh.peer;

import java.lang.foreign.MemorySegment;

/**
 * A store of 4 KiB pages keyed by a {@code long}: what the peer benchmarks put side by side, tmem4j's engine and
 * what a Java user would pick instead, each fed the same pages.
 * <p>
 * Implementations are thread-safe; {@link #put} and {@link #get} are the measured operations.
 */
public interface PageStore extends AutoCloseable
{
    /** Bytes in a page. */
    int PAGE_SIZE = 4096;

    /**
     * @return the name the store is chosen by in benchmarks and tables.
     */
    String name();

    /**
     * Stores a page, replacing what the key held.
     *
     * @param key  the page's key.
     * @param page {@value #PAGE_SIZE} bytes.
     * @return whether the store kept it.
     */
    boolean put(long key, MemorySegment page);

    /**
     * @param key the page's key.
     * @param dst {@value #PAGE_SIZE} bytes, filled on a hit.
     * @return whether the key was found.
     */
    boolean get(long key, MemorySegment dst);

    /**
     * @return bytes of native (off-heap) memory the store holds for its entries, as the store itself accounts them;
     * heap memory is measured from the outside (see {@link PeerFootprint}).
     */
    long offHeapBytes();

    /**
     * @return the names of every store, in the order benchmarks and tables show them.
     */
    static java.util.List<String> names()
    {
        return java.util.List.of(ZcacheStore.PREFIX + "zsmalloc", ZcacheStore.PREFIX + "zbud",
            EhcacheOffHeapStore.NAME, HeapMapStore.NAME);
    }

    /**
     * @param name          one of {@link #names()}.
     * @param capacityPages pages the store must hold without evicting any.
     * @return a new, empty store.
     * @throws IllegalArgumentException naming the known stores, for an unknown name.
     */
    static PageStore create(final String name, final int capacityPages)
    {
        if (name.startsWith(ZcacheStore.PREFIX))
        {
            return new ZcacheStore(name.substring(ZcacheStore.PREFIX.length()), capacityPages);
        }
        return switch (name)
        {
            // the tier holds entry headers, keys and the hash table too: twice the pages is ample
            case EhcacheOffHeapStore.NAME -> new EhcacheOffHeapStore((long)capacityPages * PAGE_SIZE * 2 + (16L << 20));
            case HeapMapStore.NAME -> new HeapMapStore(capacityPages);
            default -> throw new IllegalArgumentException("unknown page store '" + name + "'; known: " + names());
        };
    }

    /**
     * Gives every byte back.
     */
    @Override
    void close();
}
