package org.tmem4j.frontend.cleancache;

import java.util.UUID;

import org.tmem4j.concurrent.DrainGate;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.Registration;

/**
 * A recorded {@code init_fs} or {@code init_shared_fs}: what registration replays, and the backend pool it is
 * bound to while a backend is registered. A shared pool is recorded once per uuid and counts its mounts.
 * Everything but {@link #bound} changes only under the registry lock.
 */
final class FsPool
{
    /** The backend pool of one registration, and the gate that keeps it alive while operations are inside it. */
    record Binding(Registration registration, int pool, DrainGate gate)
    {
        Backend backend()
        {
            return registration.backend();
        }
    }

    final int pageSize;
    final UUID uuid;
    int mounts = 1;
    volatile Binding bound;

    FsPool(final int pageSize, final UUID uuid)
    {
        this.pageSize = pageSize;
        this.uuid = uuid;
    }

    void bind(final Registration registration)
    {
        final Backend backend = registration.backend();
        final int pool = uuid == null
            ? backend.createEphemeralPool(pageSize)
            : backend.createSharedEphemeralPool(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits(),
            pageSize);
        bound = new Binding(registration, pool, new DrainGate());
    }

    /**
     * Waits for the operations inside the pool to leave, then destroys it: its ephemeral pages are dropped.
     */
    void unbind()
    {
        final Binding binding = bound;
        if (binding != null)
        {
            binding.gate().close();
            bound = null;
            binding.backend().destroyPool(binding.pool());
        }
    }
}
