package org.tmem4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.tmem4j.stats.CounterDescription;
import org.tmem4j.stats.CounterKind;
import org.tmem4j.stats.CounterValue;
import org.tmem4j.stats.CountersFile;
import org.tmem4j.stats.CountersFileReader;
import org.tmem4j.stats.CountersSnapshot;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./tmem4j stat}: prints the counters of a running engine from its memory-mapped counters file, one
 * {@code kind/name/counter value unit} line each, the {@code cat debugfs} of tmem4j. With {@code --watch} it prints
 * them again every interval with each monotonic counter's change per second (a gauge is a level: its value is what
 * counts, so it gets no rate); {@code --describe} adds each counter's type and meaning, all as the counters file
 * carries them from the engine's descriptions.
 * <p>
 * Exit codes: {@link #OK} when the counters were printed; {@link #NO_COUNTERS} when no live engine's counters could
 * be read (no file, a stale, closed, truncated or unreadable one, or several engines to choose from);
 * {@link CommandLines#USAGE} for bad options.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Prints the counters of a running tmem4j engine (the 'cat debugfs' of tmem4j).",
    footer = "Exit codes: " + StatCommand.OK + " printed; " + StatCommand.NO_COUNTERS + " no live engine's counters "
        + "found (missing, stale, closed, truncated or unreadable file, or several engines: choose with --pid or "
        + "--file); " + CommandLines.USAGE + " bad options.")
public final class StatCommand implements Callable<Integer>
{
    /** Exit code when the counters were printed. */
    public static final int OK = 0;
    /** Exit code when no live engine's counters could be read. */
    public static final int NO_COUNTERS = 1;

    /** Which engine, when not found by searching the temporary directory. */
    static final class Target
    {
        @Option(names = "--file", paramLabel = "PATH", description = "The engine's counters file.")
        Path file;

        @Option(names = "--pid", paramLabel = "PID",
            description = "The engine's process id: reads tmem4j-PID.counters in --dir.")
        Long pid;

        @Option(names = "--host-socket", paramLabel = "PATH",
            description = "A host daemon's socket: prints its per-client table instead.")
        Path hostSocket;
    }

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Target target;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "Where engines publish their counters files (default: java.io.tmpdir, ${DEFAULT-VALUE}).",
        defaultValue = "${sys:java.io.tmpdir}")
    Path dir;

    @Option(names = "--watch", description = "Print again every interval, with each counter's change per second "
        + "(gauges are levels: no rate).")
    boolean watch;

    @Option(names = "--describe", description = "Add each counter's type (counter or gauge) and meaning (with --json: "
        + "a descriptions object of type, unit and description by label).")
    boolean describe;

    @Option(names = "--json", description = "Print each sample as one JSON object on its own line (pid, file, time, "
        + "published_ms, dropped_counters, counters by label) instead of the table.")
    boolean json;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000",
        description = "Milliseconds between prints with --watch (default ${DEFAULT-VALUE}).")
    long intervalMs;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
        description = "With --watch, stop after N prints (default ${DEFAULT-VALUE}: until interrupted).")
    long count;

    @Option(names = "--stale-after", paramLabel = "MS",
        description = "A heartbeat older than this means the engine is gone "
            + "(default: 20 publish intervals, at least 2000).")
    Long staleAfterMs;

    /**
     * A command with default options; picocli sets them from the command line.
     */
    public StatCommand()
    {
    }

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (target != null && target.pid != null && target.pid < 1)
        {
            err.println("tmem4j stat: --pid must be a process id, at least 1; got " + target.pid);
            err.flush();
            return CommandLines.USAGE;
        }
        if (intervalMs < 1 || count < 0 || (staleAfterMs != null && staleAfterMs < 1))
        {
            err.println("tmem4j stat: --interval and --stale-after must be at least 1 ms and --count at least 0; got "
                + "--interval " + intervalMs + ", --count " + count + ", --stale-after " + staleAfterMs);
            err.flush();
            return CommandLines.USAGE;
        }
        if (target != null && target.hostSocket != null)
        {
            final int exit = HostTable.print(target.hostSocket, out, err);
            out.flush();
            err.flush();
            return exit;
        }
        try (CountersFileReader reader = open(err))
        {
            if (reader == null)
            {
                return NO_COUNTERS;
            }
            return watch ? watch(reader, out, err) : printOnce(reader, out, err);
        }
        finally
        {
            out.flush();
            err.flush();
        }
    }

    private int printOnce(final CountersFileReader reader, final PrintWriter out, final PrintWriter err)
    {
        final Optional<CountersSnapshot> snapshot = liveSnapshot(reader, err);
        if (snapshot.isEmpty())
        {
            return NO_COUNTERS;
        }
        if (json)
        {
            out.println(CountersJson.line(reader, snapshot.get(), Instant.now(), describe));
            return OK;
        }
        printHeader(reader, snapshot.get(), out);
        final int width = labelWidth(snapshot.get());
        for (final CounterValue counter : snapshot.get().counters())
        {
            printLine(out, width, counter, null);
        }
        return OK;
    }

    private int watch(final CountersFileReader reader, final PrintWriter out, final PrintWriter err)
        throws InterruptedException
    {
        Map<String, Long> previous = Map.of();
        long previousHeartbeat = 0;
        for (long printed = 0; count == 0 || printed < count; printed++)
        {
            if (printed > 0)
            {
                Thread.sleep(intervalMs);
            }
            final Optional<CountersSnapshot> read = liveSnapshot(reader, err);
            if (read.isEmpty())
            {
                return NO_COUNTERS;
            }
            final CountersSnapshot snapshot = read.get();
            if (json)
            {
                out.println(CountersJson.line(reader, snapshot, Instant.now(), describe));
                out.flush();
                continue;
            }
            if (printed > 0)
            {
                out.println();
            }
            printHeader(reader, snapshot, out);
            final int width = labelWidth(snapshot);
            final long elapsedMs = snapshot.heartbeatMs() - previousHeartbeat;
            final Map<String, Long> current = new HashMap<>();
            for (final CounterValue counter : snapshot.counters())
            {
                final String label = counter.label();
                final Long before = previous.get(label);
                final String rate;
                if (before == null || counter.description().kind() == CounterKind.GAUGE)
                {
                    rate = "";
                }
                else if (elapsedMs <= 0)
                {
                    rate = "+0/s";
                }
                else
                {
                    rate = String.format(Locale.ROOT, "%+.1f/s", (counter.value() - before) * 1000.0 / elapsedMs);
                }
                printLine(out, width, counter, rate);
                current.put(label, counter.value());
            }
            out.flush();
            previous = current;
            previousHeartbeat = snapshot.heartbeatMs();
        }
        return OK;
    }

    private Optional<CountersSnapshot> liveSnapshot(final CountersFileReader reader, final PrintWriter err)
    {
        try
        {
            reader.checkIntact();
            final Optional<String> stale = reader.staleReason(System.currentTimeMillis(), staleAfter(reader));
            if (stale.isPresent())
            {
                err.println("tmem4j stat: " + reader.path() + " is stale: " + stale.get());
                return Optional.empty();
            }
            return Optional.of(reader.snapshot());
        }
        catch (final IOException ex)
        {
            err.println("tmem4j stat: " + ex.getMessage());
            return Optional.empty();
        }
    }

    private static void printHeader(final CountersFileReader reader, final CountersSnapshot snapshot,
        final PrintWriter out)
    {
        final long now = System.currentTimeMillis();
        final Duration up = Duration.ofMillis(Math.max(0, now - reader.startTime().toEpochMilli()));
        out.printf(Locale.ROOT, "# tmem4j counters of pid %d, up %d:%02d:%02d, published %d ms ago, %s%n",
            reader.pid(), up.toHours(), up.toMinutesPart(), up.toSecondsPart(),
            Math.max(0, now - snapshot.heartbeatMs()), reader.path());
        if (snapshot.droppedCounters() > 0)
        {
            out.printf(Locale.ROOT, "# %d counters did not fit the file (capacity %d); JMX shows them%n",
                snapshot.droppedCounters(), reader.capacity());
        }
        if (snapshot.counters().isEmpty())
        {
            out.println("# no counters registered");
        }
    }

    /**
     * One counter: label, value and unit, then its rate when watching ({@code rate} not null), then its type and
     * meaning with {@code --describe}.
     */
    private void printLine(final PrintWriter out, final int width, final CounterValue counter, final String rate)
    {
        final CounterDescription description = counter.description();
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s %20d %-10s",
            counter.label(), counter.value(), description.unit().symbol()));
        if (rate != null)
        {
            line.append(String.format(Locale.ROOT, " %16s", rate));
        }
        if (describe)
        {
            line.append(String.format(Locale.ROOT, " %-7s %s", description.kind().label(), description.description()));
        }
        out.println(line.toString().stripTrailing());
    }

    private static int labelWidth(final CountersSnapshot snapshot)
    {
        int width = 1;
        for (final CounterValue counter : snapshot.counters())
        {
            width = Math.max(width, counter.label().length());
        }
        return width;
    }

    private long staleAfter(final CountersFileReader reader)
    {
        return staleAfterMs != null ? staleAfterMs : reader.defaultStaleAfterMs();
    }

    /**
     * @return a reader of the chosen engine's file, or null after telling why there is none.
     */
    private CountersFileReader open(final PrintWriter err)
    {
        if (target != null && target.file != null)
        {
            return open(target.file, err);
        }
        if (target != null && target.pid != null)
        {
            return open(dir.resolve(CountersFile.fileName(target.pid)), err);
        }
        return findLive(err);
    }

    private static CountersFileReader open(final Path file, final PrintWriter err)
    {
        try
        {
            return CountersFileReader.open(file);
        }
        catch (final NoSuchFileException ex)
        {
            err.println("tmem4j stat: no counters file " + file
                + " (is the engine running, and publishing its counters there?)");
        }
        catch (final IOException ex)
        {
            err.println("tmem4j stat: cannot read " + file + ": " + ex.getMessage());
        }
        return null;
    }

    private CountersFileReader findLive(final PrintWriter err)
    {
        final List<Path> files;
        try
        {
            files = CountersFile.findAll(dir);
        }
        catch (final IOException ex)
        {
            err.println("tmem4j stat: cannot list " + dir + ": " + ex.getMessage());
            return null;
        }
        final List<CountersFileReader> live = new ArrayList<>();
        final List<String> notLive = new ArrayList<>();
        for (final Path file : files)
        {
            try
            {
                final CountersFileReader reader = CountersFileReader.open(file);
                final Optional<String> stale = reader.staleReason(System.currentTimeMillis(), staleAfter(reader));
                if (stale.isEmpty())
                {
                    live.add(reader);
                }
                else
                {
                    notLive.add(file + ": " + stale.get());
                    reader.close();
                }
            }
            catch (final IOException ex)
            {
                notLive.add(file + ": " + ex.getMessage());
            }
        }
        if (live.size() == 1)
        {
            return live.getFirst();
        }
        if (live.isEmpty())
        {
            err.println("tmem4j stat: no running tmem4j engine found: no live counters file (tmem4j-PID.counters) in "
                + dir + (notLive.isEmpty() ? "" : "; passed over:"));
            notLive.forEach(line -> err.println("  " + line));
            err.println("  Use --file or --pid if the engine publishes elsewhere.");
            return null;
        }
        err.println("tmem4j stat: " + live.size() + " engines are running; choose one with --pid or --file:");
        for (final CountersFileReader reader : live)
        {
            err.println("  --pid " + reader.pid() + "   (" + reader.path() + ")");
            reader.close();
        }
        return null;
    }
}
