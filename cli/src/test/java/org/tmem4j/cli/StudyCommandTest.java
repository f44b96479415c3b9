package org.tmem4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.cli.study.StudyCharts;
import org.tmem4j.cli.study.StudyJson;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.host.HostConfig;
import org.tmem4j.host.HostDaemon;

class StudyCommandTest
{
    @TempDir
    Path dir;

    /** Bad input: exit 2, one line on standard error saying what was wrong, nothing on standard output. */
    static void assertRejected(final CommandRun run, final String expected)
    {
        assertEquals(CommandLines.USAGE, run.exit(), run.err());
        assertEquals("", run.out());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("tmem4j study: "), run.err());
        assertTrue(run.err().contains(expected), "expected '" + expected + "' in: " + run.err());
    }

    /**
     * {@return the one JSON line of a study of one configuration, once it exited 0, verified every byte and timed
     * each of the raw codec's loops}
     */
    static JsonNode verifiedJsonLine(final ObjectMapper mapper, final CommandRun run) throws IOException
    {
        assertEquals(0, run.exit(), run.err());
        final List<String> lines = run.out().lines().toList();
        assertEquals(1, lines.size(), run.out());
        final JsonNode json = mapper.readTree(lines.get(0));
        assertTrue(json.get("verified").asBoolean(), run.out());
        for (final String speed : List.of("codec_compress_mb_s", "codec_decompress_mb_s",
            "codec_decompress_shuffled_mb_s"))
        {
            assertTrue(json.get(speed).asDouble() > 0, speed + ": " + run.out());
        }
        return json;
    }

    Path file(final String name, final int bytes) throws IOException
    {
        final byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++)
        {
            data[i] = (byte)(i % 251 < 40 ? i % 7 : 'a' + i % 13);
        }
        return Files.write(dir.resolve(name), data);
    }

    /** Unless told, a small corpus gets more passes, so that its fastest pass is not the luck of three short ones. */
    @Test
    void storesTwoHundredThousandPagesInAllByDefault()
    {
        assertEquals(12, StudyCommand.defaultPasses(17_656), "pgbench.pages");
        assertEquals(5, StudyCommand.defaultPasses(42_909), "the JDK's files");
        assertEquals(3, StudyCommand.defaultPasses(73_520), "live JVM memory");
        assertEquals(3, StudyCommand.defaultPasses(1_000_000), "at least 3");
        assertEquals(50, StudyCommand.defaultPasses(256), "at most 50");
    }

    @Test
    void unknownAllocatorNamesTheKnownOnes()
    {
        assertRejected(CommandRun.of("study", "--allocator", "buddy", "--no-progress"),
            "unknown allocator 'buddy'; known: zbud, zsmalloc, or all");
    }

    @Test
    void unknownCodecSaysWhatIsAllowed()
    {
        assertRejected(CommandRun.of("study", "--codec", "snappy", "--no-progress"), "unknown codec spec \"snappy\"");
        assertRejected(CommandRun.of("study", "--codec", "zstd:99", "--no-progress"), "zstd level 99 is out of range");
    }

    @Test
    void missingEmptyShortAndNonRegularCorpusFilesAreRejected() throws IOException
    {
        assertRejected(CommandRun.of("study", "--corpus", dir.resolve("nope.bin").toString()),
            "nope.bin does not exist");
        assertRejected(CommandRun.of("study", "--corpus", file("empty.bin", 0).toString()), "empty.bin is empty");
        assertRejected(CommandRun.of("study", "--corpus", file("short.bin", 100).toString()),
            "short.bin has 100 bytes, less than one 4096-byte page");
        assertRejected(CommandRun.of("study", "--corpus", dir.toString()), "is not a regular file");
        assertRejected(CommandRun.of("study", "--corpus", file("good.bin", 8192).toString(),
            dir.resolve("missing").toString()), "missing does not exist");
    }

    @Test
    void badOptionsAreOneLine()
    {
        assertRejected(CommandRun.of("study", "--pages", "0"), "--pages must be at least 1, got 0");
        assertRejected(CommandRun.of("study", "--repeat", "0"), "--repeat must be at least 1, got 0");
        assertRejected(CommandRun.of("study", "--pages", "many"), "'many' is not an int");
        assertRejected(CommandRun.of("study", "--frobnicate"), "Unknown option: '--frobnicate'");
    }

    @Test
    void smallStudyEndToEndVerifiesEveryPageWithSaneDensitiesAndWritesCharts() throws IOException
    {
        final Path plots = dir.resolve("plots");
        final CommandRun run = CommandRun.of("study", "--pages", "256", "--allocator", "all", "--codec", "lz4",
            "--json", "--no-progress", "--repeat", "1", "--plot", plots.toString(), "--classes", "--work-dir",
            dir.toString());
        assertEquals(0, run.exit(), run.err());
        final List<String> lines = run.out().lines().toList();
        assertEquals(2, lines.size(), run.out());
        final ObjectMapper mapper = new ObjectMapper();
        for (final String line : lines)
        {
            final JsonNode json = mapper.readTree(line);
            final List<String> fields = new java.util.ArrayList<>();
            for (final Iterator<String> names = json.fieldNames(); names.hasNext(); )
            {
                fields.add(names.next());
            }
            assertEquals(StudyJson.FIELDS, fields);
            assertTrue(json.get("verified").asBoolean(), line);
            assertEquals(256, json.get("pages").asLong(), line);
            // pages the engine refuses (admission policy) go to the swap file and leave the memory figures
            final long original = json.get("original_bytes").asLong();
            assertTrue(original % 4096 == 0 && original > 200 * 4096 && original <= 256 * 4096, line);
            final double density = json.get("density").asDouble();
            assertTrue(density > 0.3 && density <= 1.0, line);
            assertTrue(json.get("churn_density").asDouble() > 0.0, line);
            assertTrue(json.get("compacted_density").asDouble() >= json.get("churn_density").asDouble() - 1e-9,
                line);
            // zsmalloc's handle table has a fixed heap cost, so on 256 pages the effective ratio may be below 1
            assertEquals((double)original / (json.get("pool_bytes").asLong() + json.get("metadata_bytes").asLong()),
                json.get("effective_ratio").asDouble(), 1e-4, line);
            assertEquals((double)json.get("compressed_bytes").asLong() / json.get("pool_bytes").asLong(),
                density, 1e-4, line);
            assertTrue(json.get("compressed_bytes").asLong() < json.get("original_bytes").asLong(), line);
            assertTrue(json.get("store_mb_s").asDouble() > 0 && json.get("codec_compress_mb_s").asDouble() > 0, line);
        }
        assertEquals("zbud", mapper.readTree(lines.get(0)).get("allocator").asText());
        assertEquals("zsmalloc", mapper.readTree(lines.get(1)).get("allocator").asText());
        assertTrue(mapper.readTree(lines.get(1)).get("compacted_density").asDouble() > 0.8, lines.get(1));
        assertTrue(run.err().contains("obj_allocated"), "--classes prints the class table: " + run.err());
        for (final String png : List.of(StudyCharts.DENSITY, StudyCharts.THROUGHPUT, "zsmalloc-classes-lz4.png"))
        {
            assertTrue(Files.size(plots.resolve(png)) > 1000, png);
        }
        try (var left = Files.list(dir))
        {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".swap")), "swap file deleted");
        }
    }

    @Test
    void ramsterWithABudgetBelowTheCorpusSpillsToAThrowawayRedisAndVerifiesEveryByte() throws IOException
    {
        final ObjectMapper mapper = new ObjectMapper();
        final JsonNode[] runs = new JsonNode[2];
        final String[] backends = {"zcache", "ramster"};
        for (int i = 0; i < backends.length; i++)
        {
            final CommandRun run = CommandRun.of("study", "--backend", backends[i], "--budget", "256K", "--pages",
                "512", "--allocator", "zsmalloc", "--json", "--no-progress", "--repeat", "1", "--work-dir",
                dir.toString());
            runs[i] = verifiedJsonLine(mapper, run);
            assertEquals(backends[i], runs[i].get("backend").asText());
        }
        final JsonNode zcache = runs[0];
        final JsonNode ramster = runs[1];
        assertEquals(0, zcache.get("remote_pages").asLong());
        // zcache alone sends the pages its budget cannot hold to the swap file; ramster sends them to Redis, and
        // only the pages its admission policy refuses to the file
        final long spilled = zcache.get("pages_in_file").asLong() - ramster.get("pages_in_file").asLong();
        assertTrue(spilled > 256, zcache + " " + ramster);
        // every page is in zcache, in Redis or in the file (which pages stay local differs a little: once full,
        // ramster sends pages down until usage falls under the accept threshold)
        assertEquals(512, ramster.get("original_bytes").asLong() / 4096 + ramster.get("remote_pages").asLong()
            + ramster.get("pages_in_file").asLong(), ramster.toString());
        assertTrue(ramster.get("remote_bytes").asLong() > 0 && ramster.get("redis_used_memory_bytes").asLong() > 0,
            ramster.toString());
    }

    @Test
    void hostThroughAThrowawayDaemonAndThroughARunningOneVerifiesEveryByte() throws IOException
    {
        final ObjectMapper mapper = new ObjectMapper();
        final Path corpus = file("text.bin", 128 * 4096);
        final CommandRun throwaway = CommandRun.of("study", "--backend", "host", "--corpus", corpus.toString(),
            "--allocator", "zbud,zsmalloc", "--json", "--no-progress", "--repeat", "1", "--work-dir", dir.toString());
        assertEquals(0, throwaway.exit(), throwaway.err());
        final List<JsonNode> lines = throwaway.out().lines().map(line -> read(mapper, line)).toList();
        assertEquals(List.of("zbud", "zsmalloc"), lines.stream().map(json -> json.get("allocator").asText()).toList());
        for (final JsonNode json : lines)
        {
            assertEquals(StudyJson.FIELDS, fieldNames(json), json.toString());
            assertEquals("host", json.get("backend").asText());
            assertTrue(json.get("verified").asBoolean(), json.toString());
            // every page in the daemon's store: it has room for all of them
            assertEquals(0, json.get("pages_in_file").asLong(), json.toString());
            assertEquals(128 * 4096, json.get("original_bytes").asLong(), json.toString());
            assertTrue(json.get("compacted_density").isNumber(), json.toString());
        }
        try (HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder().hostSocket(dir.resolve("h/host.sock"))
            .allocator("zbud").codec("zstd").budgetBytes(16L << 20).build(), HostConfig.defaults()))
        {
            final CommandRun running = CommandRun.of("study", "--backend", "host", "--host-socket",
                daemon.socket().toString(), "--corpus", corpus.toString(), "--json", "--no-progress", "--repeat",
                "1", "--work-dir", dir.toString());
            assertEquals(0, running.exit(), running.err());
            final JsonNode json = read(mapper, running.out().strip());
            assertEquals(StudyJson.FIELDS, fieldNames(json), json.toString());
            assertEquals("zbud", json.get("allocator").asText());
            assertEquals("zstd:3", json.get("codec").asText());
            assertTrue(json.get("verified").asBoolean(), json.toString());
            assertEquals(128 * 4096, json.get("original_bytes").asLong(), json.toString());
            assertTrue(json.get("compacted_density").isNull(), "a client does not compact the daemon's store");
            assertEquals(0, daemon.zcache().stats().storedPages(), "each pass's pools are freed as it ends");
            assertRejected(CommandRun.of("study", "--backend", "host", "--host-socket", daemon.socket().toString(),
                "--allocator", "zsmalloc"), "--allocator cannot be chosen with --host-socket");
        }
        assertRejected(CommandRun.of("study", "--host-socket", dir.resolve("x.sock").toString()),
            "a host socket needs backend host");
    }

    private static JsonNode read(final ObjectMapper mapper, final String line)
    {
        try
        {
            return mapper.readTree(line);
        }
        catch (final IOException ex)
        {
            throw new AssertionError("not JSON: " + line, ex);
        }
    }

    private static List<String> fieldNames(final JsonNode json)
    {
        final List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void badBackendOptionsAreOneLine()
    {
        assertRejected(CommandRun.of("study", "--backend", "xen"),
            "--backend xen: backend must be zcache, ramster or host");
        assertRejected(CommandRun.of("study", "--redis", "redis://127.0.0.1:1"), "a Redis URI needs backend ramster");
        assertRejected(CommandRun.of("study", "--budget", "1"), "--budget: tmem4j.frontends.budget=1 is not allowed; "
            + "allowed: a whole number of bytes from 4096");
        assertRejected(CommandRun.of("study", "--backend", "host", "--host-socket", "/nonexistent/host.sock",
            "--pre-touch"), "a running host daemon's budget, memory and dictionaries are its own");
        assertRejected(CommandRun.of("study", "--dictionary-bytes", "2M"),
            "--dictionary-bytes: tmem4j.frontends.codec.dictionaryBytes=2M is not allowed; allowed: a whole number of "
                + "bytes from 256 to 1M");
    }

    @Test
    void theDictionarySizeReachesTheEngines() throws IOException
    {
        final ObjectMapper mapper = new ObjectMapper();
        final long[] bytes = new long[2];
        final String[] sizes = {"4K", "64K"};
        for (int i = 0; i < sizes.length; i++)
        {
            final CommandRun run = CommandRun.of("study", "--pages", "2048", "--allocator", "zsmalloc", "--codec",
                "zstd:1+dict", "--dictionary-bytes", sizes[i], "--json", "--no-progress", "--repeat", "1",
                "--work-dir", dir.toString());
            final JsonNode json = verifiedJsonLine(mapper, run);
            bytes[i] = json.get("dictionary_bytes").asLong();
        }
        assertTrue(bytes[0] > 0 && bytes[0] % 4096 == 0 && bytes[0] < bytes[1],
            "4 KiB dictionaries hold less than 64 KiB ones: " + bytes[0] + " against " + bytes[1]);
    }

    @Test
    void aDictionaryAndARecompressionPassAreCountedAndEveryPageVerifiedAfterThem() throws IOException
    {
        final CommandRun run = CommandRun.of("study", "--pages", "1024", "--allocator", "zsmalloc", "--codec",
            "lz4,zstd:1+dict", "--recompress", "zstd:9+dict", "--json", "--no-progress", "--repeat", "1",
            "--work-dir", dir.toString());
        assertEquals(0, run.exit(), run.err());
        final ObjectMapper mapper = new ObjectMapper();
        final List<String> lines = run.out().lines().toList();
        assertEquals(2, lines.size(), run.out());
        for (final String line : lines)
        {
            final JsonNode json = mapper.readTree(line);
            assertTrue(json.get("verified").asBoolean(), line);
            assertTrue(json.get("recompressed_pages").asLong() > 0, line);
            assertTrue(json.get("recompressed_effective_ratio").asDouble() > json.get("effective_ratio").asDouble(),
                line);
            // the pools make dictionaries for the recompression codec whatever the engine's codec
            assertTrue(json.get("dictionary_bytes").asLong() > 0, line);
        }
        assertRejected(CommandRun.of("study", "--recompress", "lz4"), "--recompress takes zstd:LEVEL");
    }

    @Test
    void aRecompressionPassOverTheColdestFractionLooksAtThatShareOfThePages() throws IOException
    {
        final ObjectMapper mapper = new ObjectMapper();
        final long[] recompressed = new long[2];
        int i = 0;
        for (final String fraction : new String[] {null, "0.25"})
        {
            final List<String> args = new java.util.ArrayList<>(List.of("study", "--pages", "1024", "--allocator",
                "zsmalloc", "--codec", "lz4", "--recompress", "zstd:9", "--json", "--no-progress", "--repeat", "1",
                "--work-dir", dir.toString()));
            if (fraction != null)
            {
                args.addAll(List.of("--recompress-coldest", fraction));
            }
            final CommandRun run = CommandRun.of(args.toArray(String[]::new));
            final JsonNode json = verifiedJsonLine(mapper, run);
            recompressed[i++] = json.get("recompressed_pages").asLong();
        }
        // one pool, put in order: the coldest quarter is a quarter of the listed pages, the rest stays as it was
        assertTrue(recompressed[1] > 0 && recompressed[1] * 3 < recompressed[0],
            "every page: " + recompressed[0] + " recompressed, the coldest quarter: " + recompressed[1]);
        assertRejected(CommandRun.of("study", "--recompress-coldest", "0.5"), "--recompress-coldest needs --recompress");
        assertRejected(CommandRun.of("study", "--recompress", "zstd:9", "--recompress-coldest", "1.5"),
            "--recompress-coldest takes a fraction");
    }

    @Test
    void incompressiblePagesGoToTheFileOrStayRawInTheEngine() throws IOException
    {
        final byte[] random = new byte[32 * 4096];
        new java.util.SplittableRandom(7).nextBytes(random);
        final Path corpus = Files.write(dir.resolve("random.bin"), random);
        final ObjectMapper mapper = new ObjectMapper();
        for (final boolean raw : new boolean[]{false, true})
        {
            final List<String> args = new java.util.ArrayList<>(List.of("study", "--corpus", corpus.toString(),
                "--allocator", "zbud", "--repeat", "1", "--json", "--no-progress", "--work-dir", dir.toString()));
            if (raw)
            {
                args.add("--raw-incompressible");
            }
            final CommandRun run = CommandRun.of(args.toArray(String[]::new));
            final JsonNode json = verifiedJsonLine(mapper, run);
            assertEquals(raw ? 0 : 32, json.get("pages_in_file").asLong(), run.out());
            assertEquals(raw ? 32 : 0, json.get("pages_raw").asLong(), run.out());
        }
    }

    /** Pre-touched memory changes where the engine's first writes fault, not what it stores: the same bytes. */
    @Test
    void preTouchedEnginesStoreTheSameBytesAndTheRunSaysSo() throws IOException
    {
        final ObjectMapper mapper = new ObjectMapper();
        final JsonNode[] lines = new JsonNode[2];
        for (int i = 0; i < 2; i++)
        {
            final List<String> args = new java.util.ArrayList<>(List.of("study", "--pages", "1024", "--allocator",
                "zsmalloc", "--budget", "16M", "--repeat", "1", "--json", "--no-progress", "--work-dir",
                dir.toString()));
            if (i == 1)
            {
                args.add("--pre-touch");
            }
            lines[i] = verifiedJsonLine(mapper, CommandRun.of(args.toArray(String[]::new)));
            assertEquals(i == 1, lines[i].get("run").get("pre_touch").asBoolean());
        }
        for (final String figure : List.of("compressed_bytes", "pool_bytes", "metadata_bytes", "churn_density",
            "compacted_density"))
        {
            assertEquals(lines[0].get(figure).asText(), lines[1].get(figure).asText(), figure);
        }
    }

    @Test
    void tableForPeopleHasOneRowPerConfiguration() throws IOException
    {
        final CommandRun run = CommandRun.of("study", "--corpus", file("text.bin", 64 * 4096).toString(),
            "--allocator", "zsmalloc", "--repeat", "2", "--codec", "lz4,zstd:1", "--no-progress", "--work-dir",
            dir.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("tmem4j study: 64 pages"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("zsmalloc  lz4 ")), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("zsmalloc  zstd:1 ")), run.out());
        assertTrue(run.out().lines().filter(l -> l.startsWith("zsmalloc")).allMatch(l -> l.endsWith("yes")),
            run.out());
    }

    @Test
    void aPlotDirectoryThatCannotBeCreatedFailsBeforeTheStudyRunsAndSaysWhy() throws IOException
    {
        final Path notADirectory = file("plain.bin", 10);
        assertRejected(CommandRun.of("study", "--corpus", file("text.bin", 16 * 4096).toString(), "--plot",
            notADirectory.resolve("charts").toString(), "--no-progress", "--work-dir", dir.toString()),
            "--plot " + notADirectory.resolve("charts") + ": cannot create " + notADirectory.resolve("charts")
                + ": Not a directory");
        assertRejected(CommandRun.of("study", "--corpus", file("text2.bin", 16 * 4096).toString(), "--plot",
            notADirectory.toString(), "--no-progress"), notADirectory + " exists and is not a directory");
    }

    @Test
    void aTrailingPartialPageOfTheCorpusIsReportedAsLeftOut() throws IOException
    {
        final Path corpus = file("odd.bin", 16 * 4096 + 100);
        final CommandRun table = CommandRun.of("study", "--corpus", corpus.toString(), "--allocator", "zbud",
            "--repeat", "1", "--no-progress", "--work-dir", dir.toString());
        assertEquals(0, table.exit(), table.err());
        assertTrue(table.out().contains("tmem4j study: note: " + corpus + " ends with a partial page of 100 bytes, "
            + "which is left out"), table.out());
        final CommandRun json = CommandRun.of("study", "--corpus", corpus.toString(), "--allocator", "zbud",
            "--repeat", "1", "--no-progress", "--json", "--work-dir", dir.toString());
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.err().contains("ends with a partial page of 100 bytes"), json.err());
        assertEquals(100, new ObjectMapper().readTree(json.out()).get("run").get("corpus_trailing_bytes")
            .get(corpus.toString()).asInt(), json.out());
    }

    @Test
    void versionOptionPrintsTheProjectVersion()
    {
        for (final String[] args : List.of(new String[] {"--version"}, new String[] {"-V"},
            new String[] {"study", "--version"}, new String[] {"stat", "-V"}))
        {
            final CommandRun run = CommandRun.of(args);
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().startsWith("tmem4j " + Version.project() + System.lineSeparator() + "JVM: "),
                run.out());
        }
        assertTrue(Version.project().matches("\\d+\\.\\d+\\.\\d+.*"), Version.project());
    }
}
