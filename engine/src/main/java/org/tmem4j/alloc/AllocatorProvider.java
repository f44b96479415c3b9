package org.tmem4j.alloc;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import org.tmem4j.memory.PageMemory;

/**
 * How an allocator module makes itself known: an implementation listed in
 * {@code META-INF/services/org.tmem4j.alloc.AllocatorProvider} is found by its {@link #name()} at run time, so the
 * engine never depends on an allocator at compile time.
 */
public interface AllocatorProvider
{
    /**
     * {@return the name the allocator is found by}
     */
    String name();

    /**
     * {@return a new, empty allocator}
     *
     * @param memory the page memory the allocator takes its pages from (shared; the allocator does not close it).
     */
    ObjectAllocator create(PageMemory memory);

    /**
     * {@return a new, empty allocator}
     *
     * @param memory     the page memory the allocator takes its pages from (shared; the allocator does not close it).
     * @param compaction when the allocator compacts by itself; allocators that do not move objects ignore it (this
     *                   default does).
     */
    default ObjectAllocator create(final PageMemory memory, final CompactionPolicy compaction)
    {
        return create(memory);
    }

    /**
     * {@return the provider of that name on the class path}
     *
     * @param name an allocator's name, in any case, e.g. {@code "zbud"} or {@code "zsmalloc"}.
     * @throws IllegalArgumentException naming the known allocators when there is none of that name.
     */
    static AllocatorProvider named(final String name)
    {
        final List<String> known = new ArrayList<>();
        for (final AllocatorProvider provider : ServiceLoader.load(AllocatorProvider.class))
        {
            if (provider.name().equalsIgnoreCase(name))
            {
                return provider;
            }
            known.add(provider.name());
        }
        throw new IllegalArgumentException("unknown allocator '" + name + "'; known allocators: " +
            (known.isEmpty() ? "none (no allocator module on the class path)" : String.join(", ", known.stream().sorted().toList())));
    }

    /**
     * {@return the names of every allocator on the class path, sorted}
     */
    static List<String> names()
    {
        return ServiceLoader.load(AllocatorProvider.class).stream().map(p -> p.get().name()).sorted().toList();
    }
}
