package org.tmem4j.zcache;

/**
 * The zcache model test with the zsmalloc allocator.
 */
final class ZsmallocZcacheModelTest extends ZcacheModelContract
{
    @Override
    protected String allocatorName()
    {
        return "zsmalloc";
    }
}
