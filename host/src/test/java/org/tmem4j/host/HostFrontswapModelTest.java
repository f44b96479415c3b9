package org.tmem4j.host;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.frontswap.FrontswapModelContract;

/**
 * The frontswap model contract through a live host daemon and its real socket and shared region, at a tenth of
 * the operations (each is a round trip to the daemon).
 */
class HostFrontswapModelTest extends FrontswapModelContract
{
    private final List<AutoCloseable> open = new ArrayList<>();
    @TempDir
    Path hostDir;
    private HostDaemon daemon;

    @Override
    protected Backend newBackend(final long budgetPages)
    {
        daemon = HostDaemon.start(FrontendsConfig.builder().hostSocket(hostDir.resolve("host/host.sock"))
            .budgetBytes(budgetPages * 4096).build(), HostConfig.defaults());
        open.add(daemon);
        final HostBackend backend = HostBackend.connect(daemon.socket(), 2);
        open.add(backend);
        return backend;
    }

    @Override
    protected long pagesHeld(final Backend backend)
    {
        return daemon.zcache().stats().storedPages();
    }

    @Override
    protected int ops()
    {
        return OPS / 10;
    }

    @AfterEach
    void close() throws Exception
    {
        for (final AutoCloseable closeable : open.reversed())
        {
            closeable.close();
        }
    }
}
