package org.tmem4j.hardening;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.tmem4j.alloc.AllocatorProvider;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.memory.PageMemory;

/**
 * Makes the engine build a {@link FaultInjectingAllocator} around a real allocator, found by name like any other
 * ({@code "faulty-zbud"}, {@code "faulty-zsmalloc"}; listed in this module's test
 * {@code META-INF/services/org.tmem4j.alloc.AllocatorProvider}), and keeps the last one made so a test can reach
 * the allocator and the page memory inside an engine it built.
 */
public abstract class FaultInjectingAllocatorProvider implements AllocatorProvider
{
    private static final Map<String, FaultInjectingAllocator> LAST = new ConcurrentHashMap<>();
    /** Seeds the per-thread streams refusals are drawn from; refusals are counted, so their pattern matters little. */
    private static final long SEED = Long.getLong("tmem4j.seed", 42);

    private final String delegateName;

    FaultInjectingAllocatorProvider(final String delegateName)
    {
        this.delegateName = delegateName;
    }

    /**
     * @param delegateName the real allocator's name.
     * @return the name of its fault-injecting wrapper.
     */
    static String faulty(final String delegateName)
    {
        return "faulty-" + delegateName;
    }

    /**
     * @param delegateName the real allocator's name.
     * @return the wrapper the engine most recently built around it.
     * @throws IllegalStateException if none was built.
     */
    static FaultInjectingAllocator last(final String delegateName)
    {
        final FaultInjectingAllocator allocator = LAST.get(delegateName);
        if (allocator == null)
        {
            throw new IllegalStateException("no engine has built a " + faulty(delegateName) + " allocator yet");
        }
        return allocator;
    }

    @Override
    public final String name()
    {
        return faulty(delegateName);
    }

    @Override
    public final ObjectAllocator create(final PageMemory memory)
    {
        final FaultInjectingAllocator allocator =
            new FaultInjectingAllocator(AllocatorProvider.named(delegateName).create(memory), memory, SEED);
        LAST.put(delegateName, allocator);
        return allocator;
    }

    /** zbud behind the fault switchboard. */
    public static final class Zbud extends FaultInjectingAllocatorProvider
    {
        /** Called by ServiceLoader. */
        public Zbud()
        {
            super("zbud");
        }
    }

    /** zsmalloc behind the fault switchboard. */
    public static final class Zsmalloc extends FaultInjectingAllocatorProvider
    {
        /** Called by ServiceLoader. */
        public Zsmalloc()
        {
            super("zsmalloc");
        }
    }
}
