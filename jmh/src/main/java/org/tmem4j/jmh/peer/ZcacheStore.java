package org.tmem4j.jmh.peer;

import java.lang.foreign.MemorySegment;

import org.tmem4j.codec.CodecSpec;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

/**
 * tmem4j's engine as a page store: a zcache with the named allocator and LZ4, one persistent pool (pages are never
 * evicted, like the peers sized to hold them all), keys as page indexes of one object.
 */
final class ZcacheStore implements PageStore
{
    /** Names are this prefix and the allocator's name. */
    static final String PREFIX = "tmem4j-";

    private final String name;
    private final Zcache zcache;
    private final int pool;

    /**
     * @param allocator     the allocator's name.
     * @param capacityPages pages the store must hold; the budget leaves room for all of them stored whole.
     */
    ZcacheStore(final String allocator, final int capacityPages)
    {
        name = PREFIX + allocator;
        zcache = Zcache.builder().allocator(allocator).codec(CodecSpec.lz4())
            .budgetBytes((long)capacityPages * PAGE_SIZE * 2 + (64L << 20)).build();
        pool = zcache.createPool(PoolKind.PERSISTENT, PAGE_SIZE);
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public boolean put(final long key, final MemorySegment page)
    {
        return zcache.put(pool, 1, 0, 0, Math.toIntExact(key), page) == Zcache.STORED;
    }

    @Override
    public boolean get(final long key, final MemorySegment dst)
    {
        return zcache.get(pool, 1, 0, 0, Math.toIntExact(key), dst);
    }

    @Override
    public long offHeapBytes()
    {
        // the allocator's pages; the index and handles are on the heap and measured there
        final ZcacheStats stats = zcache.stats();
        return stats.poolBytes();
    }

    @Override
    public void close()
    {
        zcache.close();
    }
}
