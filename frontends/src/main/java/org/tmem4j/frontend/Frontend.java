package org.tmem4j.frontend;

/**
 * A frontend as its {@link BackendRegistry} sees it: something that records inits (filesystems, swap areas) and
 * replays them into each backend that registers. The registry calls both methods under its lock, so no init
 * recorded through {@link BackendRegistry#withRegistration} runs concurrently with them.
 */
public interface Frontend
{
    /**
     * Replays every recorded, still open init into a registration that is not yet live.
     *
     * @param registration the registration.
     */
    void attach(Registration registration);

    /**
     * Unbinds everything bound to a registration that is no longer live: ephemeral pages are dropped, persistent
     * pages are written back to where they came from first. Must cope with a registration only partly attached
     * (a replay that failed midway). On return, no operation of this frontend uses the backend any more.
     *
     * @param registration the registration.
     */
    void detach(Registration registration);
}
