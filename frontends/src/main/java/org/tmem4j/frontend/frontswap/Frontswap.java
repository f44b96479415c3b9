package org.tmem4j.frontend.frontswap;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.Failures;
import org.tmem4j.frontend.Frontend;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Registration;
import org.tmem4j.stats.CounterSource;

/**
 * frontswap for the JVM: swap areas backed by real files, with a compressed RAM tier in front whenever a backend is
 * registered.
 * <pre>{@code
 *   BackendRegistry registry = new BackendRegistry();
 *   Frontswap frontswap = Frontswap.create(registry, FrontendsConfig.defaults());
 *   SwapArea area = frontswap.swapOn(Path.of("/var/tmp/app.swap"), 1 << 20);   // before any backend: fine
 *   registry.register("zcache", config);                                        // replays the swapon
 *   int slot = area.allocateSlot();
 *   area.store(slot, page);            // to the backend, or the file if the backend refuses
 *   area.load(slot, dst);              // from wherever it is
 *   area.freeSlot(slot);
 *   registry.unregister();             // every page the backend held is written to the file first
 * }</pre>
 * {@link #swapOn} records the area's init; a backend registered later gets it replayed, a swapped-off area is
 * forgotten and never replayed. With {@code frontswap.enabled=false} areas never use a backend. Optional
 * selfshrink: a daemon thread looks at every area at the configured interval and writes a twentieth of an idle
 * area's backend pages back to its file after three quiet looks.
 */
public final class Frontswap implements Frontend, AutoCloseable
{
    private final BackendRegistry registry;
    private final FrontendsConfig config;
    final FrontswapCounters counters = new FrontswapCounters();
    private final List<SwapArea> areas = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService selfshrink;
    private int nextAreaId;
    private boolean closed;

    private Frontswap(final BackendRegistry registry, final FrontendsConfig config)
    {
        this.registry = registry;
        this.config = config;
        if (config.selfshrink())
        {
            selfshrink = Executors.newSingleThreadScheduledExecutor(runnable ->
            {
                final Thread thread = new Thread(runnable, "tmem4j-frontswap-selfshrink");
                thread.setDaemon(true);
                return thread;
            });
            final long interval = config.selfshrinkInterval().toMillis();
            selfshrink.scheduleWithFixedDelay(this::selfshrinkTick, interval, interval, TimeUnit.MILLISECONDS);
        }
        else
        {
            selfshrink = null;
        }
    }

    /**
     * {@return a frontswap with no swap area yet}
     *
     * @param registry where backends register.
     * @param config   exclusive gets, writethrough, selfshrink and whether frontswap uses a backend at all.
     */
    public static Frontswap create(final BackendRegistry registry, final FrontendsConfig config)
    {
        if (registry == null || config == null)
        {
            throw new IllegalArgumentException("registry and config are required, got " + registry + ", " + config);
        }
        final Frontswap frontswap = new Frontswap(registry, config);
        if (config.frontswapEnabled())
        {
            registry.addFrontend(frontswap);
        }
        return frontswap;
    }

    /**
     * Enables a swap area (the kernel's {@code swapon} + {@code frontswap_init}), backend or not.
     *
     * @param file  the backing file, a regular file: created, or truncated if it exists. It stays the area's file
     *              until swapoff, even if its path is deleted or replaced meanwhile.
     * @param slots how many 4 KiB slots, {@code >= 1}.
     * @return the area.
     * @throws IllegalArgumentException      if the path names something other than a regular file, or the file of
     *                                       an area still swapped on (by any path, hard link or symbolic link).
     * @throws java.io.UncheckedIOException  if the file cannot be opened.
     * @throws UnsupportedOperationException if the operating system is not Linux.
     */
    public SwapArea swapOn(final Path file, final int slots)
    {
        if (file == null)
        {
            throw new IllegalArgumentException("swap file is null");
        }
        if (slots < 1)
        {
            throw new IllegalArgumentException("a swap area needs at least 1 slot, got " + slots);
        }
        return registry.withRegistration(registration ->
        {
            if (closed)
            {
                throw new IllegalStateException("frontswap is closed");
            }
            final SwapArea area = new SwapArea(this, counters, nextAreaId++, file, slots, config.exclusiveGets(),
                config.writethrough(), config.selfshrink());
            if (registration != null && config.frontswapEnabled())
            {
                try
                {
                    area.bind(registration);
                }
                catch (final RuntimeException ex)
                {
                    area.closeUnderRegistryLock();
                    throw ex;
                }
            }
            areas.add(area);
            return area;
        });
    }

    /**
     * {@return the areas swapped on and not yet off}
     */
    public List<SwapArea> areas()
    {
        return List.copyOf(areas);
    }

    /**
     * {@return how many pages the backend holds over all areas (the kernel's {@code frontswap_curr_pages})}
     */
    public long currPages()
    {
        long pages = 0;
        for (final SwapArea area : areas)
        {
            pages += area.currPages();
        }
        return pages;
    }

    /**
     * Writes pages back to the swap files, area by area, until at most {@code target} remain in the backend (the
     * kernel's {@code frontswap_shrink}).
     *
     * @param target pages that may stay in the backend, {@code >= 0}.
     * @return how many pages were written back.
     */
    public long shrink(final long target)
    {
        if (target < 0)
        {
            throw new IllegalArgumentException("shrink target " + target + " is negative; give a page count >= 0");
        }
        long written = 0;
        for (final SwapArea area : areas)
        {
            final long excess = currPages() - target;
            if (excess <= 0)
            {
                break;
            }
            written += area.shrink(Math.max(0, area.currPages() - excess));
        }
        return written;
    }

    /**
     * {@return the counters, as source {@code frontend/frontswap}}
     */
    public CounterSource counters()
    {
        return FrontswapCounters.CATALOG.source("frontend", "frontswap", () -> this);
    }

    /**
     * Swaps off every area and stops selfshrink. Idempotent.
     */
    @Override
    public void close()
    {
        if (selfshrink != null)
        {
            selfshrink.shutdownNow();
        }
        registry.withRegistration(registration ->
        {
            closed = true;
            for (final SwapArea area : areas)
            {
                area.closeUnderRegistryLock();
            }
            areas.clear();
            return null;
        });
    }

    @Override
    public void attach(final Registration registration)
    {
        for (final SwapArea area : areas)
        {
            area.bind(registration);
        }
    }

    @Override
    public void writeBack(final Registration registration)
    {
        Failures.forEach(areas, area -> area.writeBack(registration));
    }

    @Override
    public void detach(final Registration registration)
    {
        Failures.forEach(areas, area -> area.unbind(registration));
    }

    void swapOff(final SwapArea area)
    {
        registry.withRegistration(registration ->
        {
            areas.remove(area);
            area.closeUnderRegistryLock();
            return null;
        });
    }

    private void selfshrinkTick()
    {
        for (final SwapArea area : areas)
        {
            try
            {
                area.selfshrinkTick();
            }
            catch (final RuntimeException ex)
            {
                System.getLogger(Frontswap.class.getName()).log(System.Logger.Level.WARNING,
                    "selfshrink of " + area + " failed", ex);
            }
        }
    }
}
