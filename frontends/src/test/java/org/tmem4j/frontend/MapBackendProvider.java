package org.tmem4j.frontend;

/**
 * Makes a {@link MapBackend} whose page budget is the configured byte budget in 4 KiB pages; found by name
 * {@code map} through the test class path's service file.
 */
public final class MapBackendProvider implements BackendProvider
{
    @Override
    public String name()
    {
        return "map";
    }

    @Override
    public Backend create(final FrontendsConfig config)
    {
        return new MapBackend("map", config.budgetBytes() / 4096);
    }
}
