package org.tmem4j.cli.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.tmem4j.codec.CodecSpec;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.zcache.ZcacheBackend;
import org.tmem4j.host.HostBackend;
import org.tmem4j.host.HostConfig;
import org.tmem4j.host.HostDaemon;
import org.tmem4j.ramster.LocalRedis;
import org.tmem4j.ramster.RamsterBackend;
import org.tmem4j.zcache.Zcache;

/**
 * The backend a study stores through: {@code zcache} alone, {@code ramster} (zcache with a Redis below it, its
 * persistent endpoint taking the pages that do not fit the budget), or {@code host} (a host daemon's store through
 * its socket and shared region, as another JVM of the host uses it).
 *
 * @param name        {@link #ZCACHE}, {@link #RAMSTER} or {@link #HOST}.
 * @param budgetBytes the engine's budget, or 0 for room for every page (the study then measures packing only).
 * @param dictionaryBytes the most bytes of each dictionary with {@code zstd+dict}, or 0 for the engine's default.
 * @param preTouch    whether each engine maps and writes its whole budget when it is built ({@code preTouch}), so
 *                    that no store faults memory in, as none of the raw codec's writes do.
 * @param redisUri    ramster's persistent Redis, or {@code null} to start a throwaway one on a loopback port.
 * @param hostSocket  a running host daemon's socket, or {@code null} to start a throwaway daemon per pass with the
 *                    pass's allocator and codec (in the study's JVM, served through a real socket and region).
 */
public record StudyBackend(String name, long budgetBytes, int dictionaryBytes, boolean preTouch, String redisUri,
    Path hostSocket)
{
    /** zcache alone. */
    public static final String ZCACHE = "zcache";
    /** zcache with Redis below it. */
    public static final String RAMSTER = "ramster";
    /** A host daemon's store. */
    public static final String HOST = "host";

    /**
     * @throws IllegalArgumentException naming the parameter that is wrong.
     */
    public StudyBackend
    {
        if (!List.of(ZCACHE, RAMSTER, HOST).contains(name))
        {
            throw new IllegalArgumentException("backend must be " + ZCACHE + ", " + RAMSTER + " or " + HOST
                + ", was " + name);
        }
        if (budgetBytes != 0 && budgetBytes < 4096)
        {
            throw new IllegalArgumentException("budget must be at least 4096 bytes, was " + budgetBytes);
        }
        if (dictionaryBytes != 0)
        {
            // the configuration's own check and message
            FrontendsConfig.builder().dictionaryBytes(dictionaryBytes);
        }
        if (redisUri != null && !RAMSTER.equals(name))
        {
            throw new IllegalArgumentException("a Redis URI needs backend " + RAMSTER + ", not " + name);
        }
        if (hostSocket != null && !HOST.equals(name))
        {
            throw new IllegalArgumentException("a host socket needs backend " + HOST + ", not " + name);
        }
        if (hostSocket != null && (budgetBytes != 0 || dictionaryBytes != 0 || preTouch))
        {
            throw new IllegalArgumentException("a running host daemon's budget, memory and dictionaries are its own; "
                + "give neither a budget, pre-touch nor a dictionary size with a host socket");
        }
    }

    /**
     * @return zcache alone with room for every page.
     */
    public static StudyBackend zcache()
    {
        return new StudyBackend(ZCACHE, 0, 0, false, null, null);
    }

    /**
     * Starts what the backend needs for a whole study: for ramster without a URI, a throwaway durable Redis; for a
     * throwaway host daemon, the directory its sockets go in.
     *
     * @return the session, which makes one store per pass.
     */
    Session open()
    {
        if (RAMSTER.equals(name) && redisUri == null)
        {
            final LocalRedis redis = LocalRedis.builder().durable().setting("maxmemory-policy", "noeviction")
                .start();
            return new Session(redis.uri(), redis, null);
        }
        if (HOST.equals(name) && hostSocket == null)
        {
            try
            {
                return new Session(null, null, Files.createTempDirectory("tmem4j-study-host-"));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create a directory for the study's host daemons", ex);
            }
        }
        return new Session(redisUri, null, null);
    }

    /**
     * One study's store maker, with the throwaway Redis or daemon directory it started, if any.
     */
    final class Session implements AutoCloseable
    {
        private final String uri;
        private final LocalRedis local;
        private final Path daemonDirs;
        private int daemons;

        private Session(final String uri, final LocalRedis local, final Path daemonDirs)
        {
            this.uri = uri;
            this.local = local;
            this.daemonDirs = daemonDirs;
        }

        /**
         * @param allocator     the allocator's name.
         * @param codec         the codec.
         * @param raw           whether incompressible pages are kept raw while the budget has room.
         * @param roomForAll    a budget with room for every page, used when none was given.
         * @param recompress    the study's recompression pass, or null for none.
         * @return a new store the caller closes.
         */
        StudyStore newStore(final String allocator, final CodecSpec codec, final boolean raw, final long roomForAll,
            final RecompressPass recompress)
        {
            final FrontendsConfig.Builder config = FrontendsConfig.builder().allocator(allocator)
                .codec(codec.dictionary() ? codec.name() + CodecSpec.DICTIONARY_SUFFIX : codec.name())
                .codecLevel(codec.level()).rawIncompressible(raw)
                .budgetBytes(budgetBytes == 0 ? roomForAll : budgetBytes).preTouch(preTouch)
                .dictionaryBytes(dictionaryBytes == 0 ? Zcache.DEFAULT_DICTIONARY_BYTES : dictionaryBytes)
                // compaction only where the study calls it, so that "after freeing" measures the frees alone
                .compactionFreeablePercent(0);
            if (recompress != null)
            {
                // every page counts as idle (or the coldest fraction is taken), and the one pass is the study's: the
                // agent never runs during a fill
                config.recompress(recompress.codec().toString()).recompressIdleMs(0)
                    .recompressColdestFraction(recompress.coldestFraction()).recompressIntervalMs(Integer.MAX_VALUE);
            }
            switch (name)
            {
                case RAMSTER ->
                {
                    config.backendSetting("ramster.persistent.uri", uri).backendSetting("ramster.node", "study")
                        .backendSetting("ramster.timeoutMs", "10000");
                    final RamsterBackend ramster = RamsterBackend.create(config.build());
                    return StudyStore.local(ramster, ramster.zcache(), ramster);
                }
                case HOST ->
                {
                    if (hostSocket != null)
                    {
                        return StudyStore.runningDaemon(HostBackend.connect(hostSocket, 1));
                    }
                    final HostDaemon daemon = HostDaemon.start(config.hostSocket(daemonDirs.resolve("d" + daemons++)
                        .resolve(HostDaemon.SOCKET_NAME)).build(), HostConfig.defaults());
                    try
                    {
                        final HostBackend client = HostBackend.connect(daemon.socket(), 1);
                        return StudyStore.local(client, daemon.zcache(), client, daemon);
                    }
                    catch (final RuntimeException ex)
                    {
                        daemon.close();
                        throw ex;
                    }
                }
                default ->
                {
                    final ZcacheBackend zcache = ZcacheBackend.create(config.build());
                    return StudyStore.local(zcache, zcache.zcache(), zcache);
                }
            }
        }

        @Override
        public void close()
        {
            if (local != null)
            {
                local.close();
            }
            if (daemonDirs != null)
            {
                // each daemon removed its socket and its clients' regions; only the directories are left
                try (Stream<Path> paths = Files.walk(daemonDirs))
                {
                    for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
                    {
                        Files.deleteIfExists(path);
                    }
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot remove the study's host daemon directory " + daemonDirs,
                        ex);
                }
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
