package org.tmem4j.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.TimeValue;
import org.tmem4j.cli.CommandLines;
import org.tmem4j.cli.Version;

class BenchCommandTest
{
    @Test
    void defaultsAreTwoForksShortIterationsJsonResultsAndTheSideBySideSuite() throws Exception
    {
        final Options options = BenchCommand.withDefaults(new CommandLineOptions());
        assertEquals(List.of(BenchCommand.DEFAULT_SUITE), options.getIncludes());
        assertEquals(2, options.getForkCount().get());
        assertEquals(2, options.getWarmupIterations().get());
        assertEquals(TimeValue.seconds(1), options.getWarmupTime().get());
        assertEquals(3, options.getMeasurementIterations().get());
        assertEquals(TimeValue.seconds(1), options.getMeasurementTime().get());
        assertEquals(ResultFormatType.JSON, options.getResultFormat().get());
        assertEquals("jmh-result.json", options.getResult().get());
        assertFalse(options.getJvmArgsAppend().hasValue(), "forks inherit the launcher's flags and keep @Fork's");
    }

    @Test
    void benchmarksNamedByAPatternWarmUpAndMeasureAsAnnotated() throws Exception
    {
        final Options options = BenchCommand.withDefaults(new CommandLineOptions("-p", "workingSet=total",
            "ZcacheScalingBenchmark.mix2Threads"));
        assertEquals(List.of("ZcacheScalingBenchmark.mix2Threads"), options.getIncludes());
        assertEquals(2, options.getForkCount().get());
        assertFalse(options.getWarmupIterations().hasValue(), "the annotation's warm-up must apply");
        assertFalse(options.getWarmupTime().hasValue());
        assertFalse(options.getMeasurementIterations().hasValue());
        assertFalse(options.getMeasurementTime().hasValue());
        assertEquals("jmh-result.json", options.getResult().get());
        final BenchRun run = BenchRun.of("--dry-run", "ZcacheScalingBenchmark");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("warmup: as annotated x as annotated"), run.out());
    }

    @Test
    void jmhArgumentsOnTheCommandLineWinOverTheDefaults() throws Exception
    {
        final Options options = BenchCommand.withDefaults(new CommandLineOptions("-f", "3", "-wi", "5", "-i", "7",
            "-r", "2s", "-rf", "csv", "-rff", "out.csv", "-t", "2", "Codec", "Peer.get"));
        assertEquals(List.of("Codec", "Peer.get"), options.getIncludes());
        assertEquals(3, options.getForkCount().get());
        assertEquals(5, options.getWarmupIterations().get());
        assertEquals(7, options.getMeasurementIterations().get());
        assertEquals(TimeValue.seconds(2), options.getMeasurementTime().get());
        assertEquals(ResultFormatType.CSV, options.getResultFormat().get());
        assertEquals("out.csv", options.getResult().get());
        assertEquals(2, options.getThreads().get());
    }

    @Test
    void jmhOptionsPassThroughThePicocliCommandLine()
    {
        final BenchRun run =
            BenchRun.of("--dry-run", "-f", "4", "-rff", "x.json", "-jvmArgsAppend", "-Xmx1g", "Peer");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("includes: [Peer]"), run.out());
        assertTrue(run.out().contains("forks: 4"), run.out());
        assertTrue(run.out().contains("result: JSON x.json"), run.out());
    }

    @Test
    void aBadJmhArgumentIsOneLineAndExitCode2()
    {
        final BenchRun run = BenchRun.of("-f", "notanumber");
        assertEquals(CommandLines.USAGE, run.exit());
        assertEquals("", run.out());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("tmem4j bench: "), run.err());
    }

    @Test
    void aPatternMatchingNoBenchmarkIsNamedAndExitCode2()
    {
        final BenchRun run = BenchRun.of("HostRoundTrip.get");
        assertEquals(CommandLines.USAGE, run.exit(), run.err());
        assertTrue(run.err().startsWith("tmem4j bench: no benchmark matches [HostRoundTrip.get]"), run.err());
    }

    @Test
    void listShowsEveryBenchmarkAsJmhDoesNotOnlyTheDefaultSuite()
    {
        final BenchRun all = BenchRun.of("-l");
        assertEquals(0, all.exit(), all.err());
        for (final String benchmark : List.of("org.tmem4j.jmh.PageMemoryBenchmark.",
            "org.tmem4j.jmh.alloc.ZbudBenchmark.", "org.tmem4j.jmh.codec.CodecBenchmark.",
            "org.tmem4j.jmh.peer.PeerBenchmark.put1Thread", "org.tmem4j.jmh.engine.ZcacheVsCodecBenchmark."))
        {
            assertTrue(all.out().contains(benchmark), benchmark + " in: " + all.out());
        }
        final BenchRun codecs = BenchRun.of("-l", "codec\\.");
        assertEquals(0, codecs.exit(), codecs.err());
        assertTrue(codecs.out().contains("org.tmem4j.jmh.codec.CodecBenchmark."), codecs.out());
        assertFalse(codecs.out().contains("PeerBenchmark"), codecs.out());
    }

    @Test
    void versionPrintsTheProjectVersion()
    {
        for (final String flag : List.of("-V", "--version"))
        {
            final BenchRun run = BenchRun.of(flag);
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().startsWith("tmem4j " + Version.project() + System.lineSeparator()), run.out());
        }
    }

    @Test
    void footprintFileSitsBesideTheResultFile()
    {
        assertEquals("jmh-result-footprint.json", BenchCommand.footprintFileName(Path.of("/tmp/jmh-result.json")));
        assertEquals("run-footprint.json", BenchCommand.footprintFileName(Path.of("run")));
    }

    /** What {@code tmem4j bench ARGS} printed and returned, run in process exactly as {@code main} runs it. */
    private record BenchRun(int exit, String out, String err)
    {
        static BenchRun of(final String... args)
        {
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final int exit = BenchCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
            return new BenchRun(exit, out.toString(), err.toString());
        }
    }
}
