package org.tmem4j.zcache;

/**
 * The zcache model test with the zbud allocator.
 */
final class ZbudZcacheModelTest extends ZcacheModelContract
{
    @Override
    protected String allocatorName()
    {
        return "zbud";
    }
}
