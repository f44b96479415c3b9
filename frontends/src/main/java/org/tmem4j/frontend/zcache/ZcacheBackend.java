package org.tmem4j.frontend.zcache;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.balloon.MemorySignals;
import org.tmem4j.frontend.balloon.Selfballoon;
import org.tmem4j.frontend.frontswap.SlotWriteback;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;

/**
 * The engine's {@link Zcache} as a frontends {@link Backend}: what zcache's cleancache and frontswap shims were.
 * <p>
 * Frontswap implements exclusive gets itself (a get, then an invalidation), so the {@link Zcache} must be built
 * without them: {@link #create(FrontendsConfig)} does so, and a Zcache handed to {@link #ZcacheBackend(Zcache)}
 * should be too, or frontswap would find its pages gone after a load.
 * <p>
 * With {@code frontswap.writeback} the Zcache gets a {@link SwapFileTier} as its lowest tier: a full budget writes
 * the coldest frontswap pages back to their own slots of their swap files, instead of sending new pages there.
 */
public class ZcacheBackend implements Backend, AutoCloseable
{
    private final Zcache zcache;
    private final boolean owned;
    private final Selfballoon selfballoon;
    private final SwapFileTier writeback;

    /**
     * Wraps a Zcache the caller owns: closing this backend leaves it open.
     *
     * @param zcache a Zcache built without exclusive gets.
     */
    public ZcacheBackend(final Zcache zcache)
    {
        this(zcache, false, null);
    }

    /**
     * Wraps a Zcache, for subclasses that build it with more (a lower tier).
     *
     * @param zcache      a Zcache built without exclusive gets.
     * @param owned       whether closing this backend closes it.
     * @param selfballoon a selfballoon to stop on close, or {@code null}.
     */
    protected ZcacheBackend(final Zcache zcache, final boolean owned, final Selfballoon selfballoon)
    {
        this(zcache, owned, selfballoon, null);
    }

    /**
     * Wraps a Zcache built with a {@link SwapFileTier} as its lowest tier, for subclasses.
     *
     * @param zcache      a Zcache built without exclusive gets.
     * @param owned       whether closing this backend closes it (and the tier).
     * @param selfballoon a selfballoon to stop on close, or {@code null}.
     * @param writeback   the Zcache's writeback tier, which swap areas' pools are attached to, or {@code null}.
     */
    protected ZcacheBackend(final Zcache zcache, final boolean owned, final Selfballoon selfballoon,
        final SwapFileTier writeback)
    {
        if (zcache == null)
        {
            throw new IllegalArgumentException("zcache is null");
        }
        this.zcache = zcache;
        this.owned = owned;
        this.selfballoon = selfballoon;
        this.writeback = writeback;
    }

    /**
     * {@return a backend over a new Zcache, which closing the backend closes}
     *
     * @param config allocator, codec and level, budget, buckets, checksum, compaction policy and raw storage of
     *               incompressible pages;
     *               with {@code selfballoon.enabled} a {@link Selfballoon} moves the budget (at most the configured
     *               one) with this JVM's memory pressure until the backend is closed.
     * @throws IllegalArgumentException if the allocator or codec is not available.
     */
    public static ZcacheBackend create(final FrontendsConfig config)
    {
        final SwapFileTier writeback = writebackTier(config);
        final Zcache zcache;
        try
        {
            zcache = builder(config).lowerTier(writeback).build();
        }
        catch (final RuntimeException ex)
        {
            if (writeback != null)
            {
                writeback.close();
            }
            throw ex;
        }
        return new ZcacheBackend(zcache, true, config.selfballoon()
            ? Selfballoon.start(zcache, config, MemorySignals.ofThisJvm()) : null, writeback);
    }

    /**
     * {@return the writeback tier a configuration asks for ({@code frontswap.writeback}), or {@code null}}
     *
     * @param config the codec and {@code frontswap.writeback}.
     */
    public static SwapFileTier writebackTier(final FrontendsConfig config)
    {
        return config.writeback() ? new SwapFileTier(config.codecSpec()) : null;
    }

    /**
     * The engine settings of a configuration, for a backend that builds its own Zcache.
     *
     * @param config allocator, codec, level and dictionary size, budget, buckets and checksum.
     * @return a Zcache builder with those settings and without exclusive gets, as a backend's engine needs.
     */
    public static Zcache.Builder builder(final FrontendsConfig config)
    {
        return Zcache.builder()
            .allocator(config.allocator())
            .codec(config.codecSpec())
            .dictionaryBytes(config.dictionaryBytes())
            .budgetBytes(config.budgetBytes())
            .preTouch(config.preTouch())
            .buckets(config.buckets())
            .checksum(config.checksum())
            .compaction(config.compaction())
            .rawIncompressible(config.rawIncompressible())
            .recompress(config.recompress())
            .recompressIdleMs(config.recompressIdleMs())
            .recompressColdestFraction(config.recompressColdestFraction())
            .recompressMinSavedBytes(config.recompressMinSavedBytes())
            .recompressIntervalMs(config.recompressIntervalMs())
            .exclusiveGets(false);
    }

    /**
     * {@return the engine, for its statistics, budget and compaction}
     */
    public Zcache zcache()
    {
        return zcache;
    }

    @Override
    public String name()
    {
        return "zcache";
    }

    /**
     * @return the engine's counter sources, and the selfballoon's when it runs.
     */
    @Override
    public List<CounterSource> counters()
    {
        if (selfballoon == null)
        {
            return zcache.counters();
        }
        final List<CounterSource> sources = new ArrayList<>(zcache.counters());
        sources.add(selfballoon.counters());
        return sources;
    }

    @Override
    public int createEphemeralPool(final int pageSize)
    {
        return zcache.createPool(PoolKind.EPHEMERAL, pageSize);
    }

    @Override
    public int createSharedEphemeralPool(final long uuidHi, final long uuidLo, final int pageSize)
    {
        return zcache.createSharedPool(PoolKind.EPHEMERAL, uuidHi, uuidLo, pageSize);
    }

    @Override
    public int createPersistentPool(final int pageSize)
    {
        return zcache.createPool(PoolKind.PERSISTENT, pageSize);
    }

    /**
     * @return the new pool, whose coldest pages the Zcache writes back through the area when its budget is full
     * (with {@code frontswap.writeback}).
     */
    @Override
    public int createPersistentPool(final int pageSize, final SlotWriteback writeback)
    {
        final int pool = createPersistentPool(pageSize);
        if (this.writeback != null)
        {
            this.writeback.attach(pool, writeback);
        }
        return pool;
    }

    @Override
    public void destroyPool(final int pool)
    {
        zcache.destroyPool(pool);
    }

    @Override
    public int put(final int pool, final long a, final long b, final long c, final int index, final MemorySegment page)
    {
        return zcache.put(pool, a, b, c, index, page);
    }

    @Override
    public boolean get(final int pool, final long a, final long b, final long c, final int index,
        final MemorySegment dst)
    {
        return zcache.get(pool, a, b, c, index, dst);
    }

    @Override
    public boolean invalidatePage(final int pool, final long a, final long b, final long c, final int index)
    {
        return zcache.flushPage(pool, a, b, c, index);
    }

    @Override
    public int invalidateObject(final int pool, final long a, final long b, final long c)
    {
        return zcache.flushObject(pool, a, b, c);
    }

    /**
     * Stops the selfballoon, if any, and closes the Zcache if this backend created it.
     */
    @Override
    public void close()
    {
        if (selfballoon != null)
        {
            selfballoon.close();
        }
        if (owned)
        {
            zcache.close();
            if (writeback != null)
            {
                writeback.close();
            }
        }
    }

    @Override
    public String toString()
    {
        return "ZcacheBackend{" + zcache + "}";
    }
}
