package org.tmem4j.frontend.zcache;

/**
 * The frontswap model contract through Zcache on zbud.
 */
class ZbudFrontswapModelTest extends ZcacheFrontswapModel
{
    ZbudFrontswapModelTest()
    {
        super("zbud");
    }
}
