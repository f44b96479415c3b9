package org.tmem4j.jmh;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tmem4j}: the measuring commands behind the launcher, {@code ./tmem4j study|bench|stat ARGS}, which runs
 * {@code java --enable-native-access=ALL-UNNAMED -jar jmh/target/tmem4j-jmh.jar CMD ARGS}.
 * <p>
 * Every subcommand reports bad input as one clear line on standard error and a non-zero exit code, never as a stack
 * trace: {@link #USAGE} for bad options and names, the subcommand's own codes otherwise.
 */
@Command(
    name = "tmem4j",
    mixinStandardHelpOptions = true,
    version = "tmem4j 0.1.0-SNAPSHOT",
    description = "Transcendent memory for the JVM: measure it (study, bench) and watch it (stat).",
    subcommands = {StudyCommand.class, BenchCommand.class, StatCommand.class})
public final class Tmem4jCommand implements Runnable
{
    /** Exit code for bad options, unknown names or unusable input files. */
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    /**
     * A command with no subcommand chosen; picocli picks one from the command line.
     */
    public Tmem4jCommand()
    {
    }

    @Override
    public void run()
    {
        // no subcommand: say what there is rather than doing nothing silently
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * @param out where results go.
     * @param err where messages go.
     * @return a command line for {@code tmem4j}, writing to the given streams, with one-line error reports.
     */
    public static CommandLine commandLine(final PrintWriter out, final PrintWriter err)
    {
        final CommandLine commandLine = new CommandLine(new Tmem4jCommand())
            .setOut(out)
            .setErr(err)
            .setParameterExceptionHandler(Tmem4jCommand::badParameters)
            .setExecutionExceptionHandler((ex, cmd, parseResult) -> failed(ex, cmd));
        // JMH's own options (-f 2, -rf json, -prof gc ...) pass through `bench` untouched
        commandLine.getSubcommands().get("bench").setUnmatchedOptionsArePositionalParams(true);
        return commandLine;
    }

    /**
     * Runs a subcommand and exits with its code.
     *
     * @param args the command line, e.g. {@code study --pages 1000 --json}.
     */
    public static void main(final String[] args)
    {
        System.setProperty("java.awt.headless", "true");
        final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        final PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        final int exit = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(exit);
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
        if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
            || ex instanceof java.io.UncheckedIOException)
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
