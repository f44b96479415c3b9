package org.tmem4j.frontend;

/**
 * One stay of a backend in a {@link BackendRegistry}, from registration to unregistration. A backend registered
 * twice has two registrations, so state bound to the first (pool ids, pages) is never mistaken for the second's.
 * <p>
 * A registration is <i>live</i> from the moment every recorded init has been replayed into it until unregistration
 * begins. Frontends give new pages to a backend only while its registration is live.
 */
public final class Registration
{
    private final Backend backend;
    private final boolean owned;
    private volatile boolean live;

    Registration(final Backend backend, final boolean owned)
    {
        this.backend = backend;
        this.owned = owned;
    }

    /**
     * {@return the backend}
     */
    public Backend backend()
    {
        return backend;
    }

    /**
     * {@return whether the backend takes new pages: registered, replayed and not being unregistered}
     */
    public boolean isLive()
    {
        return live;
    }

    void publish()
    {
        live = true;
    }

    void retire()
    {
        live = false;
    }

    boolean owned()
    {
        return owned;
    }

    @Override
    public String toString()
    {
        return "Registration{" + backend.name() + (live ? ", live}" : "}");
    }
}
