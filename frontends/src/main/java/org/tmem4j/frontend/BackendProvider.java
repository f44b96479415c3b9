package org.tmem4j.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Makes a {@link Backend} from the typed configuration: the module-parameter analog. Providers are found by name
 * through {@link ServiceLoader} ({@code META-INF/services/org.tmem4j.frontend.BackendProvider}).
 */
public interface BackendProvider
{
    /**
     * {@return the name the backend is asked for by, e.g. {@code zcache}}
     */
    String name();

    /**
     * {@return a new backend, which the caller closes when it is done with it if it is {@link AutoCloseable}}
     *
     * @param config the settings (allocator, codec, budget, ...); a provider reads the ones that concern it.
     * @throws IllegalArgumentException if the settings do not suit this backend.
     */
    Backend create(FrontendsConfig config);

    /**
     * {@return the provider of that name on the class path}
     *
     * @param name a provider name.
     * @throws IllegalArgumentException naming the known providers if there is none of that name.
     */
    static BackendProvider named(final String name)
    {
        final List<String> known = new ArrayList<>();
        for (final BackendProvider provider : ServiceLoader.load(BackendProvider.class))
        {
            if (provider.name().equals(name))
            {
                return provider;
            }
            known.add(provider.name());
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; known backends: "
            + (known.isEmpty() ? "none (no backend module on the class path)" : String.join(", ", known.stream()
            .sorted().toList())));
    }
}
