package org.tmem4j.frontend.zcache;

import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.frontswap.FrontswapModelContract;
import org.tmem4j.zcache.Zcache;

/**
 * The frontswap model contract through the engine's Zcache on one allocator, at an eighth of the operations (the
 * full count runs on the in-memory backend).
 */
abstract class ZcacheFrontswapModel extends FrontswapModelContract
{
    private final String allocator;

    ZcacheFrontswapModel(final String allocator)
    {
        this.allocator = allocator;
    }

    @Override
    protected Backend newBackend(final long budgetPages)
    {
        return new ZcacheBackend(Zcache.builder().allocator(allocator).budgetBytes(budgetPages * 4096).build());
    }

    @Override
    protected long pagesHeld(final Backend backend)
    {
        return ((ZcacheBackend)backend).zcache().stats().storedPages();
    }

    @Override
    protected int ops()
    {
        return OPS / 8;
    }
}
