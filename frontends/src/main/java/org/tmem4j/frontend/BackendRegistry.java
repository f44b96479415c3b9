package org.tmem4j.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where a backend registers at run time, and where frontends record their inits so that a backend registered
 * later still sees every filesystem mounted and every swap area enabled before it: the JVM's
 * {@code cleancache_register_ops} and {@code frontswap_register_ops}, without the seed's limits.
 * <p>
 * <b>Ordering.</b> One lock orders everything that changes which pools exist: frontend inits
 * ({@link #withRegistration}), registration and unregistration. Registration replays every recorded init into
 * the new backend and only then publishes it ({@link Registration#isLive()}); an init racing with registration
 * waits for the lock and then finds the backend live and inits into it directly, so it is neither lost nor
 * replayed twice. The hot paths (puts, gets, loads, stores) take no registry lock.
 * <p>
 * <b>Unregistration</b> (the seed could not unload): the registration stops being live, so new pages stay out of
 * the backend; frontswap writes every page the backend holds back to its swap file. Only if that succeeds does each
 * frontend detach, cleancache dropping its ephemeral pools once no operation is inside them; if a page cannot be
 * written back the registration is made live again and keeps every page not moved, so a full or failing swap file
 * never costs a page. A backend registered through a {@link BackendProvider} is closed afterwards; one registered
 * as an object is left to its owner.
 * <p>
 * At most one backend is registered at a time (the later kernels' single registration).
 * <p>
 * {@link #close()} unregisters the backend for good: a provider-made backend is closed, which gives its off-heap
 * memory back, and nothing registers afterwards.
 */
public final class BackendRegistry implements AutoCloseable
{
    private final Object lock = new Object();
    private final List<Frontend> frontends = new ArrayList<>();
    private Registration current;
    private boolean closed;

    /**
     * Creates a registry with no backend and no frontend.
     */
    public BackendRegistry()
    {
    }

    /**
     * Registers a backend that the caller owns: unregistering does not close it.
     *
     * @param backend the backend.
     * @throws IllegalStateException if a backend is registered already or the registry is closed.
     */
    public void register(final Backend backend)
    {
        if (backend == null)
        {
            throw new IllegalArgumentException("backend is null");
        }
        register(backend, false);
    }

    /**
     * Creates a backend through the provider of that name and registers it; unregistering closes it.
     *
     * @param provider the provider's name, e.g. {@code zcache}.
     * @param config   the settings the provider builds the backend from.
     * @return the backend.
     * @throws IllegalArgumentException if no provider has that name or the settings do not suit it.
     * @throws IllegalStateException    if a backend is registered already or the registry is closed.
     */
    public Backend register(final String provider, final FrontendsConfig config)
    {
        if (config == null)
        {
            throw new IllegalArgumentException("config is null");
        }
        synchronized (lock)
        {
            requireNoBackend();
            final Backend backend = BackendProvider.named(provider).create(config);
            try
            {
                register(backend, true);
            }
            catch (final RuntimeException ex)
            {
                close(backend, ex);
                throw ex;
            }
            return backend;
        }
    }

    /**
     * Unregisters the backend, if any, after moving every persistent page it holds back to the frontends. If some
     * page cannot be moved (its swap file is full or failing), the backend stays registered and live, holding every
     * page not moved, and this throws.
     *
     * @return whether a backend was registered.
     * @throws IllegalStateException if the backend stays registered, saying which pages it keeps and why.
     */
    public boolean unregister()
    {
        synchronized (lock)
        {
            final Registration registration = current;
            if (registration == null)
            {
                return false;
            }
            registration.retire();
            try
            {
                Failures.forEach(frontends, frontend -> frontend.writeBack(registration));
            }
            catch (final RuntimeException ex)
            {
                // every page that could not be moved is still in the backend: keep it registered and taking pages
                registration.publish();
                throw new IllegalStateException("backend '" + registration.backend().name() + "' stays registered, "
                    + "holding pages it could not give back: " + ex.getMessage() + "; make room for them (or swap "
                    + "their areas off) and unregister again", ex);
            }
            current = null;
            detachAll(registration);
            if (registration.owned())
            {
                close(registration.backend(), null);
            }
            return true;
        }
    }

    /**
     * Unregisters the backend, if any (as {@link #unregister()} does: persistent pages go back to the frontends, and
     * a provider-made backend is closed, releasing its off-heap memory), and refuses any later registration.
     * Idempotent.
     */
    @Override
    public void close()
    {
        synchronized (lock)
        {
            closed = true;
            unregister();
        }
    }

    /**
     * {@return the registered backend, or {@code null}}
     */
    public Backend backend()
    {
        synchronized (lock)
        {
            return current == null ? null : current.backend();
        }
    }

    /**
     * Adds a frontend, replaying its inits into the registered backend if there is one.
     *
     * @param frontend the frontend.
     */
    public void addFrontend(final Frontend frontend)
    {
        synchronized (lock)
        {
            if (current != null)
            {
                frontend.attach(current);
            }
            frontends.add(frontend);
        }
    }

    /**
     * Forgets a frontend that has closed: later registrations no longer replay into it.
     *
     * @param frontend the frontend.
     * @return whether it was added.
     */
    public boolean removeFrontend(final Frontend frontend)
    {
        synchronized (lock)
        {
            return frontends.remove(frontend);
        }
    }

    /**
     * Runs a frontend's init (or tear-down) with no registration or unregistration in progress.
     *
     * @param action receives the live registration, or {@code null} if no backend is registered.
     * @param <T>    what the action returns.
     * @return what the action returned.
     */
    public <T> T withRegistration(final Function<Registration, T> action)
    {
        synchronized (lock)
        {
            return action.apply(current);
        }
    }

    private void register(final Backend backend, final boolean owned)
    {
        synchronized (lock)
        {
            requireNoBackend();
            final Registration registration = new Registration(backend, owned);
            try
            {
                for (final Frontend frontend : frontends)
                {
                    frontend.attach(registration);
                }
            }
            catch (final RuntimeException ex)
            {
                detachAll(registration);
                throw ex;
            }
            registration.publish();
            current = registration;
        }
    }

    private void detachAll(final Registration registration)
    {
        Failures.forEach(frontends, frontend -> frontend.detach(registration));
    }

    private void requireNoBackend()
    {
        if (closed)
        {
            throw new IllegalStateException("this backend registry is closed; make a new one to register backends");
        }
        if (current != null)
        {
            throw new IllegalStateException("backend '" + current.backend().name()
                + "' is registered; unregister it before registering another");
        }
    }

    private static void close(final Backend backend, final RuntimeException pending)
    {
        if (backend instanceof AutoCloseable closeable)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ex)
            {
                if (pending != null)
                {
                    pending.addSuppressed(ex);
                }
                else
                {
                    throw new IllegalStateException("closing backend '" + backend.name() + "' failed", ex);
                }
            }
        }
    }
}
