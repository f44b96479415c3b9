package org.tmem4j.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.tmem4j.host.HostStatus;

/**
 * {@code ./tmem4j stat --host-socket PATH}: prints a host daemon's per-client table (pages, bytes, cap, puts,
 * gets, hits of every connected JVM).
 */
final class HostTable
{
    private HostTable()
    {
    }

    /**
     * @return {@link StatCommand#OK}, or {@link StatCommand#NO_COUNTERS} if no daemon answers.
     */
    static int print(final Path socket, final PrintWriter out, final PrintWriter err)
    {
        try
        {
            out.print(HostStatus.read(socket));
            return StatCommand.OK;
        }
        catch (final UncheckedIOException ex)
        {
            err.println("tmem4j stat: " + ex.getMessage() + " (" + ex.getCause() + ")");
            return StatCommand.NO_COUNTERS;
        }
    }
}
