package org.tmem4j.frontend.zcache;

/**
 * The frontswap model contract through Zcache on zsmalloc.
 */
class ZsmallocFrontswapModelTest extends ZcacheFrontswapModel
{
    ZsmallocFrontswapModelTest()
    {
        super("zsmalloc");
    }
}
