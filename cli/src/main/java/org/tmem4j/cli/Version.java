package org.tmem4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Properties;

import picocli.CommandLine.IVersionProvider;

/**
 * What {@code --version} prints for every tmem4j command: the project's version, which Maven writes into the
 * resource {@code version.properties} when it builds this module, and the runtime it runs on.
 */
public final class Version implements IVersionProvider
{
    private static final String RESOURCE = "version.properties";

    /**
     * A provider for picocli.
     */
    public Version()
    {
    }

    /**
     * @return this build's version, e.g. {@code 0.1.0-SNAPSHOT}.
     */
    public static String project()
    {
        final Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException(RESOURCE + " is missing beside " + Version.class.getName()
                    + ": the jar was not built by Maven");
            }
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + RESOURCE, ex);
        }
        return properties.getProperty("version");
    }

    /**
     * @return the JVM's vendor and version, e.g. {@code Eclipse Adoptium 25.0.3+9-LTS}.
     */
    public static String jvm()
    {
        return System.getProperty("java.vendor") + " " + Runtime.version();
    }

    /**
     * @return the operating system's name, version and architecture, e.g. {@code Linux 6.1 amd64}.
     */
    public static String os()
    {
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch");
    }

    /**
     * @return the JVM, operating system and cores this process runs on, e.g.
     *         {@code Eclipse Adoptium 25.0.3+9-LTS, Linux 6.1 amd64, 2 cores}.
     */
    public static String runtime()
    {
        return String.format(Locale.ROOT, "%s, %s, %d cores", jvm(), os(), Runtime.getRuntime().availableProcessors());
    }

    @Override
    public String[] getVersion()
    {
        return new String[] {"tmem4j " + project(), "JVM: " + runtime()};
    }
}
