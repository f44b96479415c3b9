package org.tmem4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import picocli.CommandLine;

/**
 * How every tmem4j command runs: bad input is one clear line on standard error and exit code {@link #USAGE}, never
 * a stack trace; only a real failure prints one (exit 1). {@link Tmem4jCommand} and the benchmark module's
 * {@code bench} command, which has a jar of its own, both run this way.
 */
public final class CommandLines
{
    /** Exit code for bad options, unknown names or unusable input files. */
    public static final int USAGE = 2;

    private CommandLines()
    {
    }

    /**
     * @param command a picocli command object.
     * @param out     where results go.
     * @param err     where messages go.
     * @return a command line for it, writing to the given streams, with one-line error reports.
     */
    public static CommandLine of(final Object command, final PrintWriter out, final PrintWriter err)
    {
        return new CommandLine(command)
            .setOut(out)
            .setErr(err)
            .setParameterExceptionHandler(CommandLines::badParameters)
            .setExecutionExceptionHandler((ex, cmd, parseResult) -> failed(ex, cmd));
    }

    /**
     * Runs a command line on the process's standard streams and exits with its code: the body of a {@code main}.
     *
     * @param commandLine a command line from {@link #of}, writing to {@link #stdout()} and {@link #stderr()}.
     * @param args        the arguments.
     */
    public static void exit(final CommandLine commandLine, final String[] args)
    {
        System.setProperty("java.awt.headless", "true");
        final int exit = commandLine.execute(args);
        commandLine.getOut().flush();
        commandLine.getErr().flush();
        System.exit(exit);
    }

    /**
     * @return the process's standard output as UTF-8, flushed at each line.
     */
    public static PrintWriter stdout()
    {
        return new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    }

    /**
     * @return the process's standard error as UTF-8, flushed at each line.
     */
    public static PrintWriter stderr()
    {
        return new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    }

    private static int badParameters(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine cmd = ex.getCommandLine();
        final PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage()
            + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return USAGE;
    }

    private static int failed(final Exception ex, final CommandLine cmd)
    {
        // bad input found while running (a corpus file, a name) arrives as IllegalArgumentException
        final PrintWriter err = cmd.getErr();
        if (ex instanceof IllegalArgumentException || ex instanceof IOException || ex instanceof UncheckedIOException)
        {
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            err.flush();
            return USAGE;
        }
        err.println(cmd.getCommandSpec().qualifiedName() + ": failed: " + ex);
        ex.printStackTrace(err);
        err.flush();
        return 1;
    }
}
