package org.tmem4j.cli.study;

import java.util.List;

import org.tmem4j.codec.CodecSpec;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.zcache.ZcacheBackend;
import org.tmem4j.ramster.LocalRedis;
import org.tmem4j.ramster.RamsterBackend;
import org.tmem4j.ramster.RedisPageStore;

/**
 * The backend a study stores through: {@code zcache} alone, or {@code ramster} (zcache with a Redis below it, its
 * persistent endpoint taking the pages that do not fit the budget).
 *
 * @param name        {@link #ZCACHE} or {@link #RAMSTER}.
 * @param budgetBytes the engine's budget, or 0 for room for every page (the study then measures packing only).
 * @param redisUri    ramster's persistent Redis, or {@code null} to start a throwaway one on a loopback port.
 */
public record StudyBackend(String name, long budgetBytes, String redisUri)
{
    /** zcache alone. */
    public static final String ZCACHE = "zcache";
    /** zcache with Redis below it. */
    public static final String RAMSTER = "ramster";

    /**
     * @throws IllegalArgumentException naming the parameter that is wrong.
     */
    public StudyBackend
    {
        if (!List.of(ZCACHE, RAMSTER).contains(name))
        {
            throw new IllegalArgumentException("backend must be " + ZCACHE + " or " + RAMSTER + ", was " + name);
        }
        if (budgetBytes != 0 && budgetBytes < 4096)
        {
            throw new IllegalArgumentException("budget must be at least 4096 bytes, was " + budgetBytes);
        }
        if (redisUri != null && !RAMSTER.equals(name))
        {
            throw new IllegalArgumentException("a Redis URI needs backend " + RAMSTER + ", not " + name);
        }
    }

    /**
     * @return zcache alone with room for every page.
     */
    public static StudyBackend zcache()
    {
        return new StudyBackend(ZCACHE, 0, null);
    }

    /**
     * Starts what the backend needs for a whole study: for ramster without a URI, a throwaway durable Redis.
     *
     * @return the session, which makes one backend per pass.
     */
    Session open()
    {
        if (RAMSTER.equals(name) && redisUri == null)
        {
            final LocalRedis redis = LocalRedis.builder().durable().setting("maxmemory-policy", "noeviction")
                .start();
            return new Session(redis.uri(), redis);
        }
        return new Session(redisUri, null);
    }

    /**
     * One study's backend maker, with the throwaway Redis it started, if any.
     */
    final class Session implements AutoCloseable
    {
        private final String uri;
        private final LocalRedis local;

        private Session(final String uri, final LocalRedis local)
        {
            this.uri = uri;
            this.local = local;
        }

        /**
         * @param allocator     the allocator's name.
         * @param codec         the codec.
         * @param raw           whether incompressible pages are kept raw while the budget has room.
         * @param roomForAll    a budget with room for every page, used when none was given.
         * @return a new backend the caller closes.
         */
        ZcacheBackend newBackend(final String allocator, final CodecSpec codec, final boolean raw,
            final long roomForAll)
        {
            final FrontendsConfig.Builder config = FrontendsConfig.builder().allocator(allocator)
                .codec(codec.dictionary() ? codec.name() + CodecSpec.DICTIONARY_SUFFIX : codec.name())
                .codecLevel(codec.level()).rawIncompressible(raw)
                .budgetBytes(budgetBytes == 0 ? roomForAll : budgetBytes)
                // compaction only where the study calls it, so that "after freeing" measures the frees alone
                .compactionFreeablePercent(0);
            if (RAMSTER.equals(name))
            {
                config.backendSetting("ramster.persistent.uri", uri).backendSetting("ramster.node", "study")
                    .backendSetting("ramster.timeoutMs", "10000");
                return RamsterBackend.create(config.build());
            }
            return ZcacheBackend.create(config.build());
        }

        /**
         * @param backend a backend of this session, after the fill.
         * @return pages and bytes it holds in Redis, and Redis's {@code used_memory} (all 0 for zcache).
         */
        RemoteFigures remote(final ZcacheBackend backend)
        {
            if (backend instanceof RamsterBackend ramster)
            {
                final RedisPageStore store = ramster.tier().persistentStore();
                return new RemoteFigures(ramster.tier().rememberedPages(), store.putBytes(),
                    Math.max(0, store.usedMemoryBytes()));
            }
            return new RemoteFigures(0, 0, 0);
        }

        @Override
        public void close()
        {
            if (local != null)
            {
                local.close();
            }
        }
    }

    /**
     * What a ramster pass left in Redis after the fill.
     *
     * @param pages           pages held in Redis.
     * @param bytes           value bytes written to Redis.
     * @param usedMemoryBytes Redis's {@code used_memory}.
     */
    record RemoteFigures(long pages, long bytes, long usedMemoryBytes)
    {
    }
}
