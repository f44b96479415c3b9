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
     * Moves every persistent page out of a registration that is no longer live, back to where it came from, while
     * the backend still has its pools. A page that cannot be moved stays in the backend, and the call throws: the
     * registry then keeps the backend registered, so nothing is lost. Frontends whose pages are all ephemeral have
     * nothing to move.
     *
     * @param registration the registration.
     * @throws RuntimeException saying what stays in the backend and why.
     */
    void writeBack(Registration registration);

    /**
     * Unbinds everything bound to a registration that is no longer live, after {@link #writeBack} succeeded:
     * ephemeral pages are dropped, pools are given back. Must cope with a registration only partly attached
     * (a replay that failed midway). On return, no operation of this frontend uses the backend any more.
     *
     * @param registration the registration.
     */
    void detach(Registration registration);
}
