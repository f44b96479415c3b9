package org.tmem4j.jmh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.tmem4j.cli.CommandLines;
import org.tmem4j.cli.Version;
import org.tmem4j.cli.corpus.PageCorpus;
import org.tmem4j.jmh.peer.PeerBenchmark;
import org.tmem4j.jmh.peer.PeerFootprint;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./tmem4j bench}: the JMH suite, with defaults that finish in a few minutes on a 2-core machine and still
 * give error bars (2 forks), and every JMH argument passed through: anything given on the command line wins over
 * the defaults, so {@code ./tmem4j bench -f 3 -i 10 'Peer.*'} runs the peers with 3 forks and 10 iterations. The
 * short iterations are the default suite's; benchmarks named by a pattern warm up and measure as annotated.
 * Results are always written as JSON too ({@code -rf json -rff jmh-result.json} unless given).
 * <p>
 * It is the main class of this module's jar, {@code jmh/target/tmem4j-jmh.jar}, which holds the benchmarks JMH
 * lists and runs; the launcher runs it for {@code ./tmem4j bench}.
 */
@Command(
    name = "tmem4j bench",
    versionProvider = Version.class,
    description = {
        "Runs the JMH suite (default: the side-by-side comparisons) and writes the results as JSON.",
        "Every JMH argument passes through and overrides the defaults: e.g. 'bench -f 3 -i 10 Peer', 'bench -l',",
        "'bench -prof gc Codec', 'bench -h' for JMH's own help."},
    footer = {
        "Defaults: ${COMMAND-NAME} -f " + BenchCommand.FORKS + " -rf json -rff " + BenchCommand.RESULT_FILE
            + "; benchmarks named by a pattern warm up and measure as annotated.",
        "Without a pattern, the default suite, with -wi " + BenchCommand.WARMUP_ITERATIONS + " -w "
            + BenchCommand.WARMUP_SECONDS + "s -i " + BenchCommand.MEASUREMENT_ITERATIONS + " -r "
            + BenchCommand.MEASUREMENT_SECONDS + "s:",
        "  " + BenchCommand.DEFAULT_SUITE,
        "Exit codes: 0 ran; 1 a benchmark failed; 2 bad arguments."})
public final class BenchCommand implements Callable<Integer>
{
    /** Forks per benchmark: two, so fork-to-fork variation shows in the error bars. */
    static final int FORKS = 2;
    static final int WARMUP_ITERATIONS = 2;
    static final int WARMUP_SECONDS = 1;
    static final int MEASUREMENT_ITERATIONS = 3;
    static final int MEASUREMENT_SECONDS = 1;
    static final String RESULT_FILE = "jmh-result.json";

    /**
     * The side-by-side comparisons run when no benchmark pattern is given (a JMH include pattern), sized to finish in
     * about seven minutes on 2 cores: tmem4j against its peers (one thread), frontswap through the whole stack
     * against the engine alone, and the engine against the raw codec on the same pages (LZ4 and zstd, without
     * checksums). Everything: {@code ./tmem4j bench '.*'}.
     */
    static final String DEFAULT_SUITE =
        "org\\.tmem4j\\.jmh\\.(peer\\.PeerBenchmark\\.(put|get)1Thread|frontend\\.FrontswapBenchmark\\."
            + "|engine\\.ZcacheVsCodecBenchmark\\.)";

    @Spec
    CommandSpec spec;

    @Option(names = "--help", usageHelp = true, description = "Show this help (JMH's own help: -h).")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
    boolean version;

    @Option(names = "--dry-run", description = "Print the JMH options that would run, and run nothing.")
    boolean dryRun;

    @Option(names = "--footprint-pages", paramLabel = "N", defaultValue = "8192",
        description = "After a run that included the peers, measure each peer's memory per stored page with N pages "
            + "(default ${DEFAULT-VALUE}; 0: skip).")
    int footprintPages;

    @Parameters(paramLabel = "JMH_ARG", arity = "0..*",
        description = "JMH arguments and benchmark patterns (regular expressions).")
    List<String> jmhArgs = new ArrayList<>();

    /**
     * A command with default options; picocli sets them from the command line.
     */
    public BenchCommand()
    {
    }

    /**
     * @param out where results go.
     * @param err where messages go.
     * @return a command line for {@code tmem4j bench}, writing to the given streams, with one-line error reports.
     */
    public static CommandLine commandLine(final PrintWriter out, final PrintWriter err)
    {
        // JMH's own options (-f 2, -rf json, -prof gc ...) pass through untouched
        return CommandLines.of(new BenchCommand(), out, err).setUnmatchedOptionsArePositionalParams(true);
    }

    /**
     * Runs the benchmarks and exits: 0 ran, 1 a benchmark failed, 2 bad arguments.
     *
     * @param args JMH arguments and benchmark patterns, e.g. {@code -f 3 Peer}.
     */
    public static void main(final String[] args)
    {
        CommandLines.exit(commandLine(CommandLines.stdout(), CommandLines.stderr()), args);
    }

    @Override
    public Integer call() throws IOException, RunnerException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final CommandLineOptions given;
        try
        {
            given = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        }
        catch (final CommandLineOptionException ex)
        {
            err.println("tmem4j bench: " + ex.getMessage() + " (see 'tmem4j bench -h' for JMH's arguments)");
            return CommandLines.USAGE;
        }
        if (given.shouldHelp())
        {
            given.showHelp();
            return 0;
        }
        if (given.shouldList() || given.shouldListWithParams())
        {
            // as JMH does: every benchmark, or those the given patterns match; the default suite is for running
            out.print(list(given));
            return 0;
        }
        final Options options = withDefaults(given);
        if (given.shouldListProfilers())
        {
            given.listProfilers();
            return 0;
        }
        if (given.shouldListResultFormats())
        {
            given.listResultFormats();
            return 0;
        }
        if (dryRun)
        {
            out.println(describe(options));
            return 0;
        }
        final Collection<RunResult> results;
        try
        {
            results = new Runner(options).run();
        }
        catch (final NoBenchmarksException ex)
        {
            // JMH's own message goes to an output this command has quieted
            err.println("tmem4j bench: no benchmark matches " + options.getIncludes()
                + " (regular expressions over the full names; 'tmem4j bench -l' lists them)");
            return CommandLines.USAGE;
        }
        catch (final RunnerException ex)
        {
            // e.g. another JMH run on this machine holds its lock file: say so, a stack trace adds nothing
            err.println("tmem4j bench: " + ex.getMessage());
            return 1;
        }
        final Path resultFile = Path.of(options.getResult().get()).toAbsolutePath();
        out.println("tmem4j bench: " + results.size() + " benchmarks; results in " + resultFile);
        final boolean peersRan = results.stream()
            .anyMatch(r -> r.getParams().getBenchmark().startsWith(PeerBenchmark.class.getName() + "."));
        if (peersRan && footprintPages > 0)
        {
            final List<PeerFootprint> footprints;
            try (PageCorpus corpus = PageCorpus.readDefault(footprintPages))
            {
                footprints = PeerFootprint.measureAll(corpus);
            }
            out.println();
            out.println("Memory per stored page (" + footprintPages + " pages of " + PageCorpus.defaultFiles() + "):");
            PeerFootprint.print(footprints, out);
            final Path footprintFile = resultFile.resolveSibling(footprintFileName(resultFile));
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(footprintFile.toFile(), footprints);
            out.println("footprints in " + footprintFile);
        }
        return results.isEmpty() ? 1 : 0;
    }

    /**
     * @param given what the command line said, with {@code -l} or {@code -lp}.
     * @return JMH's listing of the benchmarks the command line's patterns match, all without a pattern.
     * @throws RunnerException if the benchmark list cannot be read.
     */
    static String list(final CommandLineOptions given) throws RunnerException
    {
        final ByteArrayOutputStream listing = new ByteArrayOutputStream();
        final PrintStream sink = new PrintStream(listing, true, StandardCharsets.UTF_8);
        new Runner(given, OutputFormatFactory.createFormatInstance(sink, VerboseMode.NORMAL)).list();
        return listing.toString(StandardCharsets.UTF_8);
    }

    /**
     * @param resultFile the JMH result file.
     * @return the name of the footprint file beside it: {@code jmh-result.json} -> {@code jmh-result-footprint.json}.
     */
    static String footprintFileName(final Path resultFile)
    {
        final String name = resultFile.getFileName().toString();
        final int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name) + "-footprint.json";
    }

    /**
     * @param given what the command line said.
     * @return the given options, with the defaults where the command line said nothing: two forks and JSON results
     *         always; for the default suite, short iterations too. Benchmarks named by a pattern keep the warm-up and
     *         measurement their annotations give them, which know what each needs (the scaling benchmark's threads,
     *         for one, compete with the JIT for the CPUs and need 15 s of warm-up where one thread needs 3).
     */
    static Options withDefaults(final CommandLineOptions given)
    {
        final ChainedOptionsBuilder builder = new OptionsBuilder().parent(given);
        if (given.getIncludes().isEmpty())
        {
            builder.include(DEFAULT_SUITE);
            if (!given.getParameter("checksum").hasValue())
            {
                builder.param("checksum", "false");
            }
            if (!given.getWarmupIterations().hasValue())
            {
                builder.warmupIterations(WARMUP_ITERATIONS);
            }
            if (!given.getWarmupTime().hasValue())
            {
                builder.warmupTime(TimeValue.seconds(WARMUP_SECONDS));
            }
            if (!given.getMeasurementIterations().hasValue())
            {
                builder.measurementIterations(MEASUREMENT_ITERATIONS);
            }
            if (!given.getMeasurementTime().hasValue())
            {
                builder.measurementTime(TimeValue.seconds(MEASUREMENT_SECONDS));
            }
        }
        if (!given.getForkCount().hasValue())
        {
            builder.forks(FORKS);
        }
        if (!given.getResultFormat().hasValue())
        {
            builder.resultFormat(ResultFormatType.JSON);
        }
        if (!given.getResult().hasValue())
        {
            builder.result(RESULT_FILE);
        }
        if (!given.getTimeout().hasValue())
        {
            // a wedged benchmark must not hold the whole run hostage
            builder.timeout(TimeValue.minutes(2));
        }
        return builder.build();
    }

    /**
     * @param options effective options.
     * @return one line per setting that decides what runs and for how long.
     */
    static String describe(final Options options)
    {
        return String.join(System.lineSeparator(),
            "includes: " + options.getIncludes(),
            "excludes: " + options.getExcludes(),
            "forks: " + shown(options.getForkCount()),
            "warmup: " + shown(options.getWarmupIterations()) + " x " + shown(options.getWarmupTime()),
            "measurement: " + shown(options.getMeasurementIterations()) + " x "
                + shown(options.getMeasurementTime()),
            "threads: " + shown(options.getThreads()),
            "result: " + shown(options.getResultFormat()) + " " + shown(options.getResult()),
            "profilers: " + options.getProfilers().size());
    }

    private static String shown(final org.openjdk.jmh.util.Optional<?> value)
    {
        return value.hasValue() ? String.valueOf(value.get()) : "as annotated";
    }
}
