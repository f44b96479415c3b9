package org.tmem4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.host.HostConfig;
import org.tmem4j.host.HostDaemon;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./tmem4j host}: runs the host daemon in the foreground — one zcache under a host-wide budget that the
 * JVMs of the host use with {@code backend=host} — until Ctrl-C or SIGTERM, which stop it cleanly: its clients see
 * the backend gone (their frontswap pages are in their swap files already) and the socket is removed.
 * <p>
 * Settings are the {@code tmem4j.frontends.*} keys (budget, allocator, codec, {@code host.socket}) and the
 * {@code tmem4j.host.*} keys of {@link HostConfig} (group, shared users and groups, persistent caps), from the
 * {@code --config} file, then system properties, then the options here.
 */
@Command(
    name = "host",
    mixinStandardHelpOptions = true,
    description = "Runs the host daemon in the foreground: one tmem store shared by the JVMs of this host.")
public final class HostCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH",
        description = "The socket; its directory becomes the daemon's (default: tmem4j.frontends.host.socket).")
    Path socket;

    @Option(names = "--budget", paramLabel = "SIZE",
        description = "The store's budget in bytes, with an optional K, M, G or T suffix (default 256M).")
    String budget;

    @Option(names = "--config", paramLabel = "FILE",
        description = "A properties file of tmem4j.frontends.* and tmem4j.host.* keys.")
    Path config;

    /**
     * A command with default options; picocli sets them from the command line.
     */
    public HostCommand()
    {
    }

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final Properties settings = new Properties();
        if (config != null)
        {
            settings.putAll(load(config));
        }
        settings.putAll(System.getProperties());
        if (socket != null)
        {
            settings.setProperty(FrontendsConfig.Key.HOST_SOCKET.key(), socket.toString());
        }
        if (budget != null)
        {
            settings.setProperty(FrontendsConfig.Key.BUDGET.key(), budget);
        }
        final HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder().properties(settings).build(),
            HostConfig.from(settings));
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            daemon.close();
            out.println("tmem4j host: stopped");
            out.flush();
            stopped.countDown();
        }, "tmem4j-host-stop"));
        out.println("tmem4j host: listening at " + daemon.socket() + " (budget " + daemon.zcache().budgetBytes()
            + " bytes); Ctrl-C or SIGTERM stops it");
        out.flush();
        stopped.await();
        return 0;
    }

    private static Properties load(final Path file)
    {
        final Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file))
        {
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read configuration file " + file, ex);
        }
        return properties;
    }
}
