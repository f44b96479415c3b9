package org.tmem4j.frontend.zcache;

import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.BackendProvider;
import org.tmem4j.frontend.FrontendsConfig;

/**
 * Provides {@link ZcacheBackend} under the name {@code zcache}: {@code registry.register("zcache", config)}.
 */
public final class ZcacheBackendProvider implements BackendProvider
{
    /**
     * Creates the provider; {@link java.util.ServiceLoader} does, through {@code META-INF/services}.
     */
    public ZcacheBackendProvider()
    {
    }

    @Override
    public String name()
    {
        return "zcache";
    }

    @Override
    public Backend create(final FrontendsConfig config)
    {
        return ZcacheBackend.create(config);
    }
}
