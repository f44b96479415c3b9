package org.tmem4j.alloc;

/**
 * The engine's test allocator keeps the same contract as zbud and zsmalloc.
 */
final class PagePerObjectAllocatorTest extends ObjectAllocatorContract
{
    @Override
    protected String allocatorName()
    {
        return PagePerObjectAllocator.NAME;
    }
}
