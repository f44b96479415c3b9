package org.tmem4j.frontend.cleancache;

import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.Set;
import java.util.Map;
import java.util.UUID;

import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.Failures;
import org.tmem4j.frontend.Frontend;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Registration;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.tmem.PageSizes;

/**
 * cleancache for the JVM: a victim cache for clean file pages, one pool per mounted "filesystem".
 * <pre>{@code
 *   Cleancache cleancache = Cleancache.create(registry, config);
 *   CleancacheFs fs = cleancache.initFs();             // at once, backend or not
 *   fs.putPage(key, index, page);                      // a clean page leaves your cache
 *   if (fs.getPage(key, index, dst)) { ... }           // before reading the disk
 *   fs.invalidatePage(key, index);                     // written or truncated
 * }</pre>
 * Every init is recorded, without a cap (the seed had 32 slots per kind), and replayed into each backend that
 * registers; an unmounted filesystem is forgotten. Shared filesystems ({@link #initSharedFs}) with one uuid share
 * one pool, which lives until the last of them unmounts. Unregistration drops every page, waiting only for the
 * operations already inside a pool. {@link PagedFile} puts this to work over a {@code FileChannel}.
 * <p>
 * With {@code cleancache.enabled=false} no pool ever reaches a backend. {@link #close()} unmounts every filesystem,
 * which drops their pages from the backend and gives their memory back.
 */
public final class Cleancache implements Frontend, AutoCloseable
{
    /** The page size of {@link #initFs()} and {@link #initSharedFs(UUID)}. */
    public static final int DEFAULT_PAGE_SIZE = 4096;

    private final BackendRegistry registry;
    private final boolean enabled;
    final CleancacheCounters counters = new CleancacheCounters();
    private final Set<FsPool> pools = new LinkedHashSet<>();
    private final Map<UUID, FsPool> shared = new HashMap<>();
    private boolean closed;

    private Cleancache(final BackendRegistry registry, final boolean enabled)
    {
        this.registry = registry;
        this.enabled = enabled;
    }

    /**
     * {@return a cleancache with no filesystem yet}
     *
     * @param registry where backends register.
     * @param config   whether cleancache uses a backend at all.
     */
    public static Cleancache create(final BackendRegistry registry, final FrontendsConfig config)
    {
        if (registry == null || config == null)
        {
            throw new IllegalArgumentException("registry and config are required, got " + registry + ", " + config);
        }
        final Cleancache cleancache = new Cleancache(registry, config.cleancacheEnabled());
        if (cleancache.enabled)
        {
            registry.addFrontend(cleancache);
        }
        return cleancache;
    }

    /**
     * {@return a private pool of 4 KiB pages}
     */
    public CleancacheFs initFs()
    {
        return initFs(DEFAULT_PAGE_SIZE);
    }

    /**
     * {@return a private pool}
     *
     * @param pageSize as {@link PageSizes} allows.
     */
    public CleancacheFs initFs(final int pageSize)
    {
        PageSizes.checkPageSize(pageSize);
        return registry.withRegistration(registration -> mount(new FsPool(pageSize, null), registration));
    }

    /**
     * {@return the pool of 4 KiB pages shared by every mount of that uuid}
     *
     * @param uuid the clustered filesystem's uuid.
     */
    public CleancacheFs initSharedFs(final UUID uuid)
    {
        return initSharedFs(uuid, DEFAULT_PAGE_SIZE);
    }

    /**
     * {@return the pool shared by every mount of that uuid}
     *
     * @param uuid     the clustered filesystem's uuid.
     * @param pageSize as {@link PageSizes} allows, the same for every mount of the uuid.
     */
    public CleancacheFs initSharedFs(final UUID uuid, final int pageSize)
    {
        if (uuid == null)
        {
            throw new IllegalArgumentException("uuid of a shared filesystem is null");
        }
        PageSizes.checkPageSize(pageSize);
        return registry.withRegistration(registration ->
        {
            requireOpen();
            final FsPool existing = shared.get(uuid);
            if (existing == null)
            {
                final CleancacheFs handle = mount(new FsPool(pageSize, uuid), registration);
                shared.put(uuid, handle.fs());
                return handle;
            }
            if (existing.pageSize != pageSize)
            {
                throw new IllegalArgumentException("shared filesystem " + uuid + " is mounted with " + existing.pageSize
                    + " B pages; mount it again with the same page size, not " + pageSize);
            }
            existing.mounts++;
            return new CleancacheFs(this, existing, counters);
        });
    }

    /**
     * {@return how many pools are recorded (private filesystems plus distinct shared uuids)}
     */
    public int pools()
    {
        return registry.withRegistration(registration -> pools.size());
    }

    /**
     * {@return the counters, as source {@code frontend/cleancache}}
     */
    public CounterSource counters()
    {
        return CleancacheCounters.CATALOG.source("frontend", "cleancache", () -> this);
    }

    /**
     * Unmounts every filesystem: their pools leave the backend (waiting for the operations inside them), so their
     * pages are dropped and the memory holding them is freed; the registry forgets this cleancache. Handles still
     * held miss on every get and drop every put; {@link #initFs()} and {@link #initSharedFs(UUID)} throw
     * {@link IllegalStateException}. Idempotent.
     */
    @Override
    public void close()
    {
        registry.withRegistration(registration ->
        {
            if (!closed)
            {
                closed = true;
                try
                {
                    Failures.forEach(pools, FsPool::unbind);
                }
                finally
                {
                    pools.clear();
                    shared.clear();
                }
            }
            return null;
        });
        registry.removeFrontend(this);
    }

    @Override
    public void attach(final Registration registration)
    {
        for (final FsPool fs : pools)
        {
            fs.bind(registration);
        }
    }

    /**
     * Nothing to do: cleancache pages are clean copies, dropped by {@link #detach}.
     */
    @Override
    public void writeBack(final Registration registration)
    {
    }

    @Override
    public void detach(final Registration registration)
    {
        Failures.forEach(pools, fs ->
        {
            final FsPool.Binding binding = fs.bound;
            if (binding != null && binding.registration() == registration)
            {
                fs.unbind();
            }
        });
    }

    void unmount(final CleancacheFs handle)
    {
        registry.withRegistration(registration ->
        {
            if (!handle.markInvalidated())
            {
                return null;
            }
            final FsPool fs = handle.fs();
            if (--fs.mounts == 0)
            {
                pools.remove(fs);
                if (fs.uuid != null)
                {
                    shared.remove(fs.uuid);
                }
                fs.unbind();
            }
            return null;
        });
    }

    private CleancacheFs mount(final FsPool fs, final Registration registration)
    {
        requireOpen();
        if (registration != null && enabled)
        {
            fs.bind(registration);
        }
        pools.add(fs);
        return new CleancacheFs(this, fs, counters);
    }

    private void requireOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("this cleancache is closed; create another to mount filesystems");
        }
    }
}
