package org.tmem4j.zbud;

import org.tmem4j.alloc.AllocatorProvider;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.memory.PageMemory;

/**
 * Makes zbud known to {@link AllocatorProvider#named(String)} as {@value ZbudAllocator#NAME}.
 */
public final class ZbudProvider implements AllocatorProvider
{
    /**
     * Creates the provider; {@link java.util.ServiceLoader} does, through {@code META-INF/services}.
     */
    public ZbudProvider()
    {
    }

    @Override
    public String name()
    {
        return ZbudAllocator.NAME;
    }

    @Override
    public ObjectAllocator create(final PageMemory memory)
    {
        return new ZbudAllocator(memory);
    }
}
