package org.tmem4j.frontend.frontswap;

import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.MapBackend;

/**
 * The frontswap model contract over the in-memory test backend, at the full operation count.
 */
class MapFrontswapModelTest extends FrontswapModelContract
{
    @Override
    protected Backend newBackend(final long budgetPages)
    {
        return new MapBackend("map", budgetPages);
    }

    @Override
    protected long pagesHeld(final Backend backend)
    {
        return ((MapBackend)backend).usedPages();
    }
}
