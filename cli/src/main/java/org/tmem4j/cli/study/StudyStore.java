package org.tmem4j.cli.study;

import java.util.List;
import java.util.Map;

import org.tmem4j.frontend.Backend;
import org.tmem4j.host.HostBackend;
import org.tmem4j.host.HostStoreFigures;
import org.tmem4j.ramster.RamsterBackend;
import org.tmem4j.ramster.RedisPageStore;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

/**
 * What one pass of the study stores through: the backend frontswap uses, the engine behind it when the study can
 * see it (in this JVM: zcache, ramster, or a throwaway host daemon), and whatever the pass started for it, closed
 * with it. A host daemon in another process is seen only through the figures it gives every client.
 */
final class StudyStore implements AutoCloseable
{
    private final Backend backend;
    private final Zcache engine;
    private final HostBackend runningDaemon;
    private final List<AutoCloseable> owned;

    private StudyStore(final Backend backend, final Zcache engine, final HostBackend runningDaemon,
        final List<AutoCloseable> owned)
    {
        this.backend = backend;
        this.engine = engine;
        this.runningDaemon = runningDaemon;
        this.owned = owned;
    }

    /**
     * @param backend a backend whose engine is in this JVM.
     * @param engine  its engine.
     * @param owned   what to close with the pass, the backend included, in order.
     * @return the store.
     */
    static StudyStore local(final Backend backend, final Zcache engine, final AutoCloseable... owned)
    {
        return new StudyStore(backend, engine, null, List.of(owned));
    }

    /**
     * @param client a client of a daemon in another process; closed with the pass.
     * @return the store, its figures asked of the daemon.
     */
    static StudyStore runningDaemon(final HostBackend client)
    {
        return new StudyStore(client, null, client, List.of(client));
    }

    /**
     * @return the backend frontswap stores through.
     */
    Backend backend()
    {
        return backend;
    }

    /**
     * @return the engine, or {@code null} when it is a running host daemon's (another process).
     */
    Zcache engine()
    {
        return engine;
    }

    /**
     * @return the store's figures now: the engine's, or the running daemon's whole store.
     */
    Figures figures()
    {
        if (engine == null)
        {
            final HostStoreFigures store = runningDaemon.storeFigures();
            return new Figures(store.putsRaw(), store.storedPages(), store.compressedBytes(), store.poolBytes(),
                store.metadataBytes());
        }
        final ZcacheStats stats = engine.stats();
        // the engine's index and the allocator's own heap tables (zsmalloc's handles) are both metadata
        final long handles = stats.allocator().details().entrySet().stream()
            .filter(detail -> detail.getKey().name().equals("handle_table_bytes"))
            .mapToLong(Map.Entry::getValue).sum();
        return new Figures(stats.putsRaw(), stats.storedPages(), stats.compressedBytes(), stats.poolBytes(),
            stats.metadataBytes() + handles);
    }

    /**
     * @return pages and bytes it holds in Redis, and Redis's {@code used_memory} (all 0 but for ramster).
     */
    StudyBackend.RemoteFigures remote()
    {
        if (backend instanceof RamsterBackend ramster)
        {
            final RedisPageStore store = ramster.tier().persistentStore();
            return new StudyBackend.RemoteFigures(ramster.tier().rememberedPages(), store.putBytes(),
                Math.max(0, store.usedMemoryBytes()));
        }
        return new StudyBackend.RemoteFigures(0, 0, 0);
    }

    @Override
    public void close()
    {
        RuntimeException failure = null;
        for (final AutoCloseable closeable : owned)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ex)
            {
                if (failure == null)
                {
                    failure = new IllegalStateException("closing the study's store failed", ex);
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    /**
     * A store's figures at one moment.
     *
     * @param putsRaw         pages kept uncompressed.
     * @param storedPages     pages held.
     * @param compressedBytes bytes of stored objects.
     * @param poolBytes       bytes of allocator pages.
     * @param metadataBytes   the engine's own bytes (with the allocator's handle tables where the study sees them).
     */
    record Figures(long putsRaw, long storedPages, long compressedBytes, long poolBytes, long metadataBytes)
    {
    }
}
