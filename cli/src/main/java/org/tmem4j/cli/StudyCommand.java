package org.tmem4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;

import org.tmem4j.alloc.AllocatorProvider;
import org.tmem4j.cli.corpus.PageCorpus;
import org.tmem4j.cli.study.RecompressPass;
import org.tmem4j.cli.study.Study;
import org.tmem4j.cli.study.StudyBackend;
import org.tmem4j.cli.study.StudyCharts;
import org.tmem4j.cli.study.StudyJson;
import org.tmem4j.cli.study.StudyOptions;
import org.tmem4j.cli.study.StudyResults;
import org.tmem4j.cli.study.StudyTable;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.host.HostBackend;
import org.tmem4j.host.HostStoreFigures;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./tmem4j study}: the first command a user runs. It splits a corpus of files into 4 KiB pages and, for each
 * allocator × codec asked for, stores every page through the frontswap frontend into a fresh engine, loads them all
 * back verifying every byte, frees every other page, measures, compacts and measures again; on the same pages it
 * measures the codec alone. Output: a table for people, or one JSON line per configuration, and optionally PNG
 * charts and zsmalloc's class table.
 * <p>
 * Bad input (a missing, unreadable or empty corpus file, an unknown allocator or codec) gets one line saying what
 * was wrong and exit code {@link CommandLines#USAGE}; nothing else is printed.
 */
@Command(
    name = "study",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
        "Stores a corpus of 4 KiB pages through frontswap into every allocator x codec asked for, loads and verifies",
        "every byte, frees every other page, compacts, and measures densities and speeds against the raw codec."},
    footer = "Exit codes: 0 every page verified; 1 a page came back wrong; 2 bad options or corpus.")
public final class StudyCommand implements Callable<Integer>
{
    /** Exit code when a loaded page differed from the stored one. */
    public static final int NOT_VERIFIED = 1;

    /** The allocator whose class table {@code --classes} prints. */
    static final String ZSMALLOC = "zsmalloc";

    /** Pages the default number of passes stores in all: a pass over a small corpus takes tens of milliseconds. */
    static final int DEFAULT_PAGES_MEASURED = 200_000;
    /** The fewest passes by default: the fastest of them is the one reported. */
    static final int MIN_DEFAULT_PASSES = 3;
    /** The most passes by default, however small the corpus. */
    static final int MAX_DEFAULT_PASSES = 50;

    /** The allocator and codec lists' word for "every one". */
    static final String ALL = "all";

    @Spec
    CommandSpec spec;

    @Option(names = "--corpus", paramLabel = "FILE", arity = "1..*",
        description = "Files to split into pages (default: the running JDK's lib/modules and lib/server/libjvm.so).")
    List<Path> corpus = new ArrayList<>();

    @Option(names = "--pages", paramLabel = "N", description = "Use at most N pages of the corpus (default: all).")
    Integer maxPages;

    @Option(names = "--allocator", paramLabel = "NAME", split = ",", defaultValue = ALL,
        description = "zbud, zsmalloc or all (default ${DEFAULT-VALUE}); several with commas.")
    List<String> allocators;

    @Option(names = "--codec", paramLabel = "SPEC", split = ",", defaultValue = "lz4",
        description = "lz4, zstd, zstd:LEVEL, zstd+dict, zstd:LEVEL+dict (a dictionary trained per pool on its own "
            + "pages) or all (= lz4,zstd) (default ${DEFAULT-VALUE}); several with commas.")
    List<String> codecs;

    @Option(names = "--recompress", paramLabel = "SPEC", description = "After the fill, run one recompression pass "
        + "(zram's recompress) with this codec over every page (idle time 0): zstd:LEVEL or zstd:LEVEL+dict. The JSON's "
        + "recompressed_pages and recompressed_effective_ratio say what it did; every page is verified again after it.")
    String recompress;

    @Option(names = "--recompress-coldest", paramLabel = "FRACTION", description = "With --recompress: the pass looks "
        + "only at this share of the pages, coldest first by put order (recompress.coldestFraction), e.g. 0.25, "
        + "instead of every page.")
    Double recompressColdest;

    @Option(names = "--raw-incompressible", description = "Let the engine keep pages compressing above 7/8 of a "
        + "page uncompressed while its budget has room, instead of refusing them to the swap file.")
    boolean rawIncompressible;

    @Option(names = "--repeat", paramLabel = "N",
        description = "Measure each configuration N times, each into a fresh engine, and report the fastest pass: "
            + "on a shared machine the passes least disturbed by other work (default: enough passes to store "
            + DEFAULT_PAGES_MEASURED + " pages in all, at least " + MIN_DEFAULT_PASSES + " and at most "
            + MAX_DEFAULT_PASSES + ").")
    Integer repeat;

    @Option(names = "--json", description = "Print one JSON object per configuration, one per line, and no table.")
    boolean json;

    @Option(names = "--plot", paramLabel = "DIR", description = "Write PNG charts into DIR.")
    Path plotDir;

    @Option(names = "--classes", description = "Print zsmalloc's class table (the kernel's debugfs columns) "
        + "after the fill.")
    boolean classes;

    @Option(names = "--no-progress", description = "Draw no progress bars (by default, on a terminal, steps longer "
        + "than a second draw one on standard error).")
    boolean noProgress;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = StudyBackend.ZCACHE,
        description = "zcache; ramster: zcache with a Redis below it; host: a host daemon's store through its socket "
            + "(default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--budget", paramLabel = "SIZE", description = "The engine's memory budget, e.g. 16M (default: "
        + "room for every page). Below the corpus size, pages go to the swap file (zcache) or to Redis (ramster).")
    String budget;

    @Option(names = "--pre-touch", description = "Map and write each engine's whole budget when it is built "
        + "(preTouch), as the raw codec's output is written before it is timed, so that no store faults memory in.")
    boolean preTouch;

    @Option(names = "--dictionary-bytes", paramLabel = "SIZE", description = "With zstd+dict: the most bytes of each "
        + "dictionary, 256 to 1M, e.g. 64K (default 128K).")
    String dictionaryBytes;

    @Option(names = "--redis", paramLabel = "URI", description = "ramster's persistent Redis (redis://, rediss://, "
        + "redis+cluster://); it must have noeviction and appendfsync always. Default: a throwaway redis-server on "
        + "a loopback port.")
    String redis;

    @Option(names = "--host-socket", paramLabel = "PATH", description = "With --backend host: a running daemon's "
        + "socket; its allocator, codec and budget are studied. Default: a throwaway daemon per pass, in this JVM.")
    Path hostSocket;

    @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "${sys:java.io.tmpdir}",
        description = "Where the frontswap backing file goes (default ${DEFAULT-VALUE}); it is deleted after.")
    Path workDir;

    /**
     * A command with default options; picocli sets them from the command line.
     */
    public StudyCommand()
    {
    }

    @Override
    public Integer call() throws IOException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (maxPages != null && maxPages < 1)
        {
            throw new IllegalArgumentException("--pages must be at least 1, got " + maxPages);
        }
        if (repeat != null && repeat < 1)
        {
            throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
        }
        final StudyBackend studyBackend = studyBackend();
        List<String> allocatorNames = allocatorNames(allocators);
        List<CodecSpec> codecSpecs = codecSpecs(codecs);
        final RecompressPass recompressSpec = recompressPass(recompress, recompressColdest);
        if (recompressSpec != null && hostSocket != null)
        {
            throw new IllegalArgumentException("--recompress needs an engine the study builds; a running host "
                + "daemon (--host-socket) recompresses by its own configuration (recompress=...)");
        }
        if (hostSocket != null)
        {
            final HostStoreFigures daemon = runningDaemon();
            allocatorNames = List.of(daemon.allocator());
            codecSpecs = List.of(daemon.codec());
        }
        final List<Path> files = corpus.isEmpty() ? PageCorpus.defaultFiles() : corpus;
        if (files.isEmpty())
        {
            throw new IllegalArgumentException("the running JDK (" + System.getProperty("java.home")
                + ") has neither lib/modules nor lib/server/libjvm.so; give files with --corpus");
        }
        files.forEach(StudyCommand::checkCorpusFile);
        if (plotDir != null)
        {
            StudyCharts.createDirectory(plotDir);
        }
        if (classes && !allocatorNames.contains(ZSMALLOC))
        {
            err.println("tmem4j study: note: --classes shows zsmalloc's size classes, and zsmalloc is not studied");
        }
        try (PageCorpus pages = PageCorpus.read(files, maxPages == null ? Integer.MAX_VALUE : maxPages))
        {
            final int count = pages.pageCount();
            final int passes = repeat != null ? repeat : defaultPasses(count);
            if (!json)
            {
                out.printf(Locale.ROOT, "tmem4j study: %,d pages (%.1f MiB) of %s; %s; speeds: the fastest of %d "
                    + "pass%s%s%n", count, count * (double)PageCorpus.PAGE_SIZE / (1 << 20), files, Version.runtime(),
                    passes, passes == 1 ? "" : "es", preTouch ? "; engines' memory pre-touched" : "");
            }
            final PrintWriter notes = json ? err : out;
            pages.trailingBytes().forEach((file, bytes) -> notes.printf(Locale.ROOT, "tmem4j study: note: %s ends "
                + "with a partial page of %d bytes, which is left out%n", file, bytes));
            notes.flush();
            final StudyResults study = Study.run(new StudyOptions(pages, allocatorNames, codecSpecs, rawIncompressible,
                passes, workDir, noProgress || !onTerminal() ? null : System.err, studyBackend, recompressSpec));
            if (json)
            {
                study.results().forEach(result -> out.println(StudyJson.line(result, study.context())));
            }
            if (classes)
            {
                study.classTable().forEach((codec, table) ->
                {
                    notes.println("zsmalloc classes after the fill, " + codec + ":");
                    notes.println(table);
                });
            }
            if (!json)
            {
                out.println();
                StudyTable.print(study.results(), out);
            }
            if (plotDir != null)
            {
                notes.println("charts: " + StudyCharts.write(plotDir, study));
            }
            out.flush();
            return study.verified() ? 0 : NOT_VERIFIED;
        }
    }

    /**
     * @return the backend from {@code --backend}, {@code --budget}, {@code --dictionary-bytes} and {@code --redis}.
     * @throws IllegalArgumentException naming the option that is wrong.
     */
    private StudyBackend studyBackend()
    {
        final int dictionary = dictionaryBytes == null ? 0 :
            configured("--dictionary-bytes", FrontendsConfig.Key.CODEC_DICTIONARY_BYTES, dictionaryBytes)
                .dictionaryBytes();
        final long bytes = budget == null ? 0 :
            configured("--budget", FrontendsConfig.Key.BUDGET, budget).budgetBytes();
        try
        {
            return new StudyBackend(backend.strip().toLowerCase(Locale.ROOT), bytes, dictionary, preTouch, redis,
                hostSocket);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--backend " + backend + (redis == null ? "" : " --redis " + redis)
                + (hostSocket == null ? "" : " --host-socket " + hostSocket) + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return a configuration with one key set from an option, checked as the configuration checks it.
     * @throws IllegalArgumentException naming the option, the key, the value and what is allowed.
     */
    private static FrontendsConfig configured(final String option, final FrontendsConfig.Key key, final String value)
    {
        final Properties properties = new Properties();
        properties.setProperty(key.key(), value.strip());
        try
        {
            return FrontendsConfig.builder().properties(properties).build();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(option + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * A running daemon's store is what it is: the study runs its allocator and codec, and refuses options that would
     * ask for others.
     *
     * @return the daemon's store.
     * @throws IllegalArgumentException naming the option the daemon cannot follow.
     */
    private HostStoreFigures runningDaemon()
    {
        for (final String option : List.of("--allocator", "--codec", "--raw-incompressible"))
        {
            if (spec.commandLine().getParseResult().hasMatchedOption(option))
            {
                throw new IllegalArgumentException(option + " cannot be chosen with --host-socket: the running "
                    + "daemon's store is studied as it is");
            }
        }
        try (HostBackend client = HostBackend.connect(hostSocket, 1))
        {
            return client.storeFigures();
        }
    }

    /**
     * @return whether this process talks to a terminal, the only place where progress bars belong.
     */
    private static boolean onTerminal()
    {
        return System.console() != null && System.console().isTerminal();
    }

    /**
     * {@return the passes a study of {@code pages} pages makes unless told: enough to store
     * {@value #DEFAULT_PAGES_MEASURED} pages in all, so that a small corpus, whose pass takes tens of milliseconds,
     * still gets a fastest pass undisturbed by a compilation or a neighbour; {@value #MIN_DEFAULT_PASSES} to
     * {@value #MAX_DEFAULT_PASSES}}
     *
     * @param pages pages of the corpus, at least 1.
     */
    static int defaultPasses(final int pages)
    {
        return Math.clamp((DEFAULT_PAGES_MEASURED + pages - 1) / pages, MIN_DEFAULT_PASSES, MAX_DEFAULT_PASSES);
    }

    /**
     * @param file a corpus file from the command line.
     * @throws IllegalArgumentException saying what is wrong with it, if it is missing, not a readable regular file,
     *                                  or holds no whole page.
     */
    static void checkCorpusFile(final Path file)
    {
        if (!Files.exists(file))
        {
            throw new IllegalArgumentException("corpus file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file))
        {
            throw new IllegalArgumentException("corpus file " + file + " is not a regular file");
        }
        if (!Files.isReadable(file))
        {
            throw new IllegalArgumentException("corpus file " + file + " is not readable");
        }
        final long size;
        try
        {
            size = Files.size(file);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("corpus file " + file + " cannot be read: " + ex.getMessage(), ex);
        }
        if (size < PageCorpus.PAGE_SIZE)
        {
            throw new IllegalArgumentException("corpus file " + file + (size == 0 ? " is empty" : " has " + size
                + " bytes, less than one " + PageCorpus.PAGE_SIZE + "-byte page"));
        }
    }

    /**
     * @param asked names from the command line, "all" for every allocator on the class path.
     * @return the allocators to study, in the order asked, without repeats.
     * @throws IllegalArgumentException naming the known allocators, for an unknown name.
     */
    static List<String> allocatorNames(final List<String> asked)
    {
        final List<String> known = AllocatorProvider.names();
        final Set<String> chosen = new LinkedHashSet<>();
        for (final String name : asked)
        {
            final String trimmed = name.strip().toLowerCase(Locale.ROOT);
            if (trimmed.equals(ALL))
            {
                chosen.addAll(known);
            }
            else if (known.contains(trimmed))
            {
                chosen.add(trimmed);
            }
            else
            {
                throw new IllegalArgumentException("unknown allocator '" + name + "'; known: "
                    + String.join(", ", known) + ", or " + ALL);
            }
        }
        if (chosen.isEmpty())
        {
            throw new IllegalArgumentException("no allocator on the class path");
        }
        return List.copyOf(chosen);
    }

    /**
     * @param text    {@code --recompress}'s value, or null.
     * @param coldest {@code --recompress-coldest}'s value, or null.
     * @return the recompression pass, or null for none.
     * @throws IllegalArgumentException saying what is allowed, for anything but zstd, a fraction out of range, or a
     *                                  fraction without a codec.
     */
    static RecompressPass recompressPass(final String text, final Double coldest)
    {
        if (text == null)
        {
            if (coldest != null)
            {
                throw new IllegalArgumentException("--recompress-coldest needs --recompress SPEC, the codec of the pass");
            }
            return null;
        }
        final CodecSpec spec = CodecSpec.parse(text);
        if (!CodecSpec.ZSTD.equals(spec.name()))
        {
            throw new IllegalArgumentException("--recompress takes zstd:LEVEL or zstd:LEVEL+dict, not " + text);
        }
        if (coldest != null && coldest == 0)
        {
            throw new IllegalArgumentException("--recompress-coldest takes a fraction more than 0 and at most 1, "
                + "e.g. 0.25, not 0 (leave it out for every page)");
        }
        return new RecompressPass(spec, coldest == null ? 0 : coldest);
    }

    /**
     * @param asked codec specs from the command line, "all" for lz4 and zstd at their default levels.
     * @return the codecs to study, in the order asked, without repeats.
     * @throws IllegalArgumentException saying what is allowed, for a bad spec.
     */
    static List<CodecSpec> codecSpecs(final List<String> asked)
    {
        final Set<CodecSpec> chosen = new LinkedHashSet<>();
        for (final String text : asked)
        {
            if (text.strip().equalsIgnoreCase(ALL))
            {
                chosen.add(CodecSpec.parse(CodecSpec.LZ4));
                chosen.add(CodecSpec.parse(CodecSpec.ZSTD));
            }
            else
            {
                try
                {
                    chosen.add(CodecSpec.parse(text));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException(ex.getMessage() + ", or \"" + ALL + "\"", ex);
                }
            }
        }
        return List.copyOf(chosen);
    }
}
