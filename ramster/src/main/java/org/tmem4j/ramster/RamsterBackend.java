package org.tmem4j.ramster;

import java.util.ArrayList;
import java.util.List;

import org.tmem4j.codec.CodecSpec;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.zcache.SwapFileTier;
import org.tmem4j.frontend.zcache.ZcacheBackend;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.zcache.LowerTier;
import org.tmem4j.zcache.Zcache;

/**
 * ramster: zcache with Redis below it ({@code backend=ramster}). zcache keeps pages compressed under its budget as
 * the {@code zcache} backend does; its {@link RedisTier} takes the coldest pages of both kinds when the budget is full
 * (and new pages while zcache is full), and a local miss looks there. With {@code frontswap.writeback} the swap file
 * is the tier below Redis: a frontswap page Redis refuses (full, down, slow) is written back to its slot instead,
 * so the order is zcache, Redis, swap file. Cleancache pages go to the ephemeral endpoint (a
 * Redis that may drop them), frontswap pages to the persistent endpoint (a Redis that drops nothing, checked at
 * connect), each only if its URI is configured.
 * <p>
 * A Redis that is down when the backend is created does not stop it: zcache works alone (and frontswap keeps
 * pages that find no room in its swap file) while the stores reconnect in the background. Wrong credentials or a
 * persistent Redis that could drop pages fail creation with one message saying what to change.
 */
public final class RamsterBackend extends ZcacheBackend
{
    /** Codec ids stored with each remote page. */
    private static final int LZ4_ID = 1;
    private static final int ZSTD_ID = 2;

    private final RedisTier tier;

    private RamsterBackend(final Zcache zcache, final RedisTier tier, final SwapFileTier writeback)
    {
        super(zcache, true, null, writeback);
        this.tier = tier;
    }

    /**
     * Creates zcache with Redis below it, connecting to the configured endpoints.
     *
     * @param config the frontends configuration: allocator, codec, budget, buckets, checksum, and the
     *               {@code ramster.*} keys ({@link RamsterSettings}).
     * @return a backend, which closing closes its zcache and its Redis connections.
     * @throws IllegalArgumentException if a setting is not allowed.
     * @throws IllegalStateException    if Redis refused the credentials, or the persistent Redis could drop pages.
     */
    public static RamsterBackend create(final FrontendsConfig config)
    {
        final RamsterSettings settings = RamsterSettings.from(config.backendSettings("ramster"));
        RedisPageStore ephemeral = null;
        RedisPageStore persistent = null;
        SwapFileTier writeback = null;
        try
        {
            final RedisEndpoint ephemeralEndpoint = settings.endpoint(Durability.EPHEMERAL);
            final RedisEndpoint persistentEndpoint = settings.endpoint(Durability.PERSISTENT);
            ephemeral = ephemeralEndpoint == null ? null : RedisPageStore.open(ephemeralEndpoint);
            persistent = persistentEndpoint == null ? null : RedisPageStore.open(persistentEndpoint);
            final RedisTier tier = new RedisTier(settings.node(), codecId(config.codecSpec()), ephemeral, persistent);
            writeback = writebackTier(config);
            final Zcache zcache = builder(config)
                .name("ramster")
                .lowerTiers(writeback == null ? new LowerTier[] {tier} : new LowerTier[] {tier, writeback})
                .acceptThresholdPercent(settings.acceptThresholdPercent())
                .build();
            return new RamsterBackend(zcache, tier, writeback);
        }
        catch (final RuntimeException ex)
        {
            if (ephemeral != null)
            {
                ephemeral.close();
            }
            if (persistent != null)
            {
                persistent.close();
            }
            if (writeback != null)
            {
                writeback.close();
            }
            throw ex;
        }
    }

    /**
     * {@return the Redis tier, for its stores and counters}
     */
    public RedisTier tier()
    {
        return tier;
    }

    @Override
    public String name()
    {
        return "ramster";
    }

    /**
     * @return zcache's sources (engine, allocator, memory, and {@code tier}: what went down and came back) and one
     * of kind {@code remote} per Redis store, named {@code ephemeral} or {@code persistent}.
     */
    @Override
    public List<CounterSource> counters()
    {
        final List<CounterSource> sources = new ArrayList<>(super.counters());
        if (tier.ephemeralStore() != null)
        {
            sources.add(tier.ephemeralStore().counterSource("ephemeral"));
        }
        if (tier.persistentStore() != null)
        {
            sources.add(tier.persistentStore().counterSource("persistent"));
        }
        return List.copyOf(sources);
    }

    /**
     * Closes zcache, then the Redis connections.
     */
    @Override
    public void close()
    {
        try
        {
            super.close();
        }
        finally
        {
            tier.close();
        }
    }

    @Override
    public String toString()
    {
        return "RamsterBackend{" + zcache() + ", " + tier + "}";
    }

    private static int codecId(final CodecSpec codec)
    {
        return CodecSpec.LZ4.equals(codec.name()) ? LZ4_ID : ZSTD_ID;
    }
}
