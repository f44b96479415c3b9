package org.tmem4j.zcache;

import org.tmem4j.alloc.PagePerObjectAllocator;

/**
 * The zcache model test with the engine's own test allocator.
 */
final class PagePerObjectZcacheModelTest extends ZcacheModelContract
{
    @Override
    protected String allocatorName()
    {
        return PagePerObjectAllocator.NAME;
    }
}
