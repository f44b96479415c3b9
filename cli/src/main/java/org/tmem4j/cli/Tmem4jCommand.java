package org.tmem4j.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tmem4j}: the commands behind the launcher, {@code ./tmem4j study|stat|host ARGS}, which runs
 * {@code java --enable-native-access=ALL-UNNAMED -jar cli/target/tmem4j-cli.jar CMD ARGS}. ({@code ./tmem4j bench}
 * runs the benchmark module's own jar: the benchmarks depend on this module, never the reverse.)
 * <p>
 * Every subcommand reports bad input as one clear line on standard error and a non-zero exit code, never as a stack
 * trace (see {@link CommandLines}).
 */
@Command(
    name = "tmem4j",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Transcendent memory for the JVM: measure it (study), watch it (stat), share it (host).",
    subcommands = {StudyCommand.class, StatCommand.class, HostCommand.class})
public final class Tmem4jCommand implements Runnable
{
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
        return CommandLines.of(new Tmem4jCommand(), out, err);
    }

    /**
     * Runs a subcommand and exits with its code.
     *
     * @param args the command line, e.g. {@code study --pages 1000 --json}.
     */
    public static void main(final String[] args)
    {
        CommandLines.exit(commandLine(CommandLines.stdout(), CommandLines.stderr()), args);
    }
}
