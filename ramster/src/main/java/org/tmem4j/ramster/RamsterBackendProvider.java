package org.tmem4j.ramster;

import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.BackendProvider;
import org.tmem4j.frontend.FrontendsConfig;

/**
 * Provides {@link RamsterBackend} under the name {@code ramster}: {@code registry.register("ramster", config)}, or
 * {@code tmem4j.frontends.backend=ramster}.
 */
public final class RamsterBackendProvider implements BackendProvider
{
    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public RamsterBackendProvider()
    {
    }

    @Override
    public String name()
    {
        return "ramster";
    }

    @Override
    public Backend create(final FrontendsConfig config)
    {
        return RamsterBackend.create(config);
    }
}
