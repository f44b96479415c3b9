package org.tmem4j.jmh.peer;

import org.ehcache.Cache;
import org.ehcache.CacheManager;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.CacheManagerBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.MemoryUnit;
import org.ehcache.core.internal.statistics.DefaultStatisticsService;
import org.ehcache.core.statistics.TierStatistics;

/**
 * Ehcache 3 with only an off-heap tier (Terracotta offheap-store: a dlmalloc-style allocator over direct buffers,
 * the closest maintained Java analog of a packing allocator) holding the same LZ4-compressed pages as
 * {@code byte[]} values. It needs no {@code --add-opens} on JDK 25: checked by running it with
 * {@code --enable-native-access=ALL-UNNAMED} only.
 * <p>
 * Native bytes are what its statistics call the off-heap tier's occupied size; the tier reserves
 * ({@code allocated}) more, in chunks, as it grows.
 */
final class EhcacheOffHeapStore extends CompressedPageStore
{
    /** The name it is chosen by. */
    static final String NAME = "ehcache-offheap";

    private static final String CACHE = "pages";

    private final DefaultStatisticsService statistics = new DefaultStatisticsService();
    private final CacheManager manager;
    private final Cache<Long, byte[]> pages;

    /**
     * @param capacityBytes the off-heap tier's size: room for every page to be stored, so nothing is evicted.
     */
    EhcacheOffHeapStore(final long capacityBytes)
    {
        manager = CacheManagerBuilder.newCacheManagerBuilder().using(statistics).build(true);
        pages = manager.createCache(CACHE, CacheConfigurationBuilder.newCacheConfigurationBuilder(Long.class,
            byte[].class, ResourcePoolsBuilder.newResourcePoolsBuilder()
                .offheap(Math.max(1, capacityBytes >> 20), MemoryUnit.MB)).build());
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
        return offHeapTier().getOccupiedByteSize();
    }

    /**
     * @return bytes the off-heap tier has reserved from direct memory.
     */
    long allocatedOffHeapBytes()
    {
        return offHeapTier().getAllocatedByteSize();
    }

    /**
     * @return entries evicted so far; a fair comparison has none.
     */
    long evictions()
    {
        return offHeapTier().getEvictions();
    }

    private TierStatistics offHeapTier()
    {
        return statistics.getCacheStatistics(CACHE).getTierStatistics().get("OffHeap");
    }

    @Override
    public void close()
    {
        manager.close();
    }
}
