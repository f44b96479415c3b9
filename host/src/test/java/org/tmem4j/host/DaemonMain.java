package org.tmem4j.host;

import java.nio.file.Path;

import org.tmem4j.frontend.FrontendsConfig;

/**
 * A host daemon in a process of its own, for the tests that kill it: {@code DaemonMain SOCKET BUDGET}; prints
 * {@code ready} once it listens and runs until killed.
 */
public final class DaemonMain
{
    private DaemonMain()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder().hostSocket(Path.of(args[0]))
            .budgetBytes(Long.parseLong(args[1])).build(), HostConfig.defaults());
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close));
        System.out.println("ready");
        System.out.flush();
        Thread.currentThread().join();
    }
}
