package org.tmem4j.zsmalloc;

import org.tmem4j.alloc.AllocatorProvider;
import org.tmem4j.alloc.CompactionPolicy;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.memory.PageMemory;

/**
 * Makes {@link Zsmalloc} available by the name {@value Zsmalloc#NAME} through {@link AllocatorProvider#named}.
 */
public final class ZsmallocProvider implements AllocatorProvider
{
    /**
     * Creates the provider; {@link java.util.ServiceLoader} does, through {@code META-INF/services}.
     */
    public ZsmallocProvider()
    {
    }

    @Override
    public String name()
    {
        return Zsmalloc.NAME;
    }

    @Override
    public ObjectAllocator create(final PageMemory memory)
    {
        return Zsmalloc.create(memory);
    }

    @Override
    public ObjectAllocator create(final PageMemory memory, final CompactionPolicy compaction)
    {
        return Zsmalloc.builder(memory).compaction(compaction).build();
    }
}
