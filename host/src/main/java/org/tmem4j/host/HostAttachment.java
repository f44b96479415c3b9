package org.tmem4j.host;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;

/**
 * Keeps a JVM's frontends attached to the host daemon across its restarts: registers a {@link HostBackend} in the
 * registry while the daemon is up; when the daemon goes, unregisters it (frontswap has every page in its swap
 * files already, as the backend {@linkplain HostBackend#mayVanish() may vanish}; cleancache drops its pools) and
 * tries again every retry interval; a new daemon gets every mounted filesystem and enabled swap area replayed by
 * the registry, as for any backend that arrives late.
 * <pre>{@code
 *   BackendRegistry registry = new BackendRegistry();
 *   Cleancache cleancache = Cleancache.create(registry, config);
 *   Frontswap frontswap = Frontswap.create(registry, config);
 *   try (HostAttachment host = HostAttachment.start(registry, config, Duration.ofMillis(500))) { ... }
 * }</pre>
 */
public final class HostAttachment implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(HostAttachment.class.getName());

    private final BackendRegistry registry;
    private final FrontendsConfig config;
    private final long retryMillis;
    private final Thread thread;
    private final Object lock = new Object();
    private HostBackend current;
    private long attachments;
    private volatile boolean closed;

    private HostAttachment(final BackendRegistry registry, final FrontendsConfig config, final Duration retry)
    {
        this.registry = registry;
        this.config = config;
        this.retryMillis = retry.toMillis();
        this.thread = Thread.ofPlatform().name("tmem4j-host-attachment").daemon().unstarted(this::run);
    }

    /**
     * Starts attaching; returns at once, whether the daemon is up or not.
     *
     * @param registry where the frontends are; no other backend may be registered there while attached.
     * @param config   the daemon's socket and the slots to open.
     * @param retry    how long to wait between attempts while the daemon is down, at least 1 ms.
     * @return the attachment, to close when done.
     */
    public static HostAttachment start(final BackendRegistry registry, final FrontendsConfig config,
        final Duration retry)
    {
        if (registry == null || config == null)
        {
            throw new IllegalArgumentException("registry and config are required, got " + registry + ", " + config);
        }
        if (retry == null || retry.toMillis() < 1)
        {
            throw new IllegalArgumentException("retry must be at least 1 ms, got " + retry);
        }
        final HostAttachment attachment = new HostAttachment(registry, config, retry);
        attachment.thread.start();
        return attachment;
    }

    /**
     * {@return the backend registered now, or {@code null} while the daemon is down}
     */
    public HostBackend backend()
    {
        synchronized (lock)
        {
            return current;
        }
    }

    /**
     * {@return how many times a backend was registered (1 after the first connection, one more per reconnection)}
     */
    public long attachments()
    {
        synchronized (lock)
        {
            return attachments;
        }
    }

    /**
     * Stops following the daemon and unregisters the backend (frontswap pages are in the swap files). Idempotent.
     */
    @Override
    public void close()
    {
        closed = true;
        thread.interrupt();
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        detach();
    }

    private void run()
    {
        while (!closed)
        {
            final HostBackend backend;
            try
            {
                backend = HostBackend.connect(config);
            }
            catch (final UncheckedIOException | IllegalStateException down)
            {
                if (!sleep())
                {
                    return;
                }
                continue;
            }
            try
            {
                synchronized (lock)
                {
                    if (closed)
                    {
                        backend.close();
                        return;
                    }
                    registry.register(backend);
                    current = backend;
                    attachments++;
                }
            }
            catch (final RuntimeException ex)
            {
                // the daemon went during the replay, or another backend holds the registry
                backend.close();
                LOG.log(System.Logger.Level.WARNING, "attaching to the host daemon at " + config.hostSocket()
                    + " failed; retrying", ex);
                if (!sleep())
                {
                    return;
                }
                continue;
            }
            try
            {
                while (!backend.awaitGone(1, TimeUnit.DAYS))
                {
                    // keep waiting: only the daemon's end or close() ends an attachment
                }
            }
            catch (final InterruptedException closing)
            {
                return;
            }
            detach();
        }
    }

    private void detach()
    {
        synchronized (lock)
        {
            if (current == null)
            {
                return;
            }
            try
            {
                registry.unregister();
            }
            finally
            {
                current.close();
                current = null;
            }
        }
    }

    private boolean sleep()
    {
        try
        {
            Thread.sleep(retryMillis);
            return true;
        }
        catch (final InterruptedException closing)
        {
            return false;
        }
    }
}
