package org.tmem4j.host;

import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.BackendProvider;
import org.tmem4j.frontend.FrontendsConfig;

/**
 * Provides {@link HostBackend} under the name {@code host}: {@code registry.register("host", config)} connects to
 * the daemon at {@code tmem4j.frontends.host.socket} with {@code host.slots} request slots. The registration
 * lasts as long as that daemon; {@link HostAttachment} follows the daemon across restarts.
 */
public final class HostBackendProvider implements BackendProvider
{
    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public HostBackendProvider()
    {
    }

    @Override
    public String name()
    {
        return "host";
    }

    @Override
    public Backend create(final FrontendsConfig config)
    {
        return HostBackend.connect(config);
    }
}
