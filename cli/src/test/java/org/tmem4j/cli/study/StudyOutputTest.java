package org.tmem4j.cli.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;

class StudyOutputTest
{
    static final StudyResult ZSMALLOC = new StudyResult("zcache", "zsmalloc", "lz4", 1000, 0, 0, 4_096_000,
        2_457_600, 2_510_848, 16_000, 812.25, 2950.5, 850.0, 3600.0, 2520.04, 0.61, 0.975, true, 0, 0, 0, 0, 0,
        1.621, new PairedShares(0.9012, 0.84, 0.9556), new PairedShares(0.8196, 0.75, 0.9));
    static final StudyResult ZBUD = new StudyResult("ramster", "zbud", "zstd:3", 1000, 10, 5, 4_055_040, 2_000_000,
        3_276_800, 16_000, 300.0, 700.0, 320.0, 760.0, 600.0, 0.5, 0.5, false, 600, 1_200_000, 1_900_000, 65_536, 400,
        1.3, new PairedShares(0.9, 0.9, 0.9), new PairedShares(0.92, 0.92, 0.92));
    static final StudyContext CONTEXT = new StudyContext("9.9.9", "Vendor 25.0.3+9", "Linux 6.1 amd64", 2,
        Instant.parse("2026-12-06T18:00:00Z"), List.of(Path.of("/corpus/a.bin"), Path.of("/corpus/b.bin")), 1000,
        Map.of(Path.of("/corpus/b.bin"), 100), 3, true);

    @Test
    void jsonLineHasExactlyTheSpecifiedFieldsInOrder() throws IOException
    {
        final String line = StudyJson.line(ZSMALLOC, CONTEXT);
        assertFalse(line.contains("\n"), line);
        final JsonNode json = new ObjectMapper().readTree(line);
        final List<String> fields = new ArrayList<>();
        for (final Iterator<String> names = json.fieldNames(); names.hasNext(); )
        {
            fields.add(names.next());
        }
        assertEquals(List.of("allocator", "codec", "pages", "pages_in_file", "pages_raw", "original_bytes",
            "compressed_bytes", "ratio", "pool_bytes", "metadata_bytes", "density", "effective_ratio", "store_mb_s",
            "load_mb_s", "codec_compress_mb_s", "codec_decompress_mb_s", "codec_decompress_shuffled_mb_s",
            "churn_density", "compacted_density",
            "verified", "backend", "remote_pages", "remote_bytes", "redis_used_memory_bytes", "dictionary_bytes",
            "recompressed_pages", "recompressed_effective_ratio", "store_of_codec", "store_of_codec_low",
            "store_of_codec_high", "load_of_codec", "load_of_codec_low", "load_of_codec_high", "run"), fields);
        assertEquals(StudyJson.FIELDS, fields);
        assertEquals("zsmalloc", json.get("allocator").asText());
        assertEquals("zcache", json.get("backend").asText());
        assertEquals(0, json.get("remote_pages").asLong());
        final JsonNode ramster = new ObjectMapper().readTree(StudyJson.line(ZBUD, CONTEXT));
        assertEquals("ramster", ramster.get("backend").asText());
        assertEquals(600, ramster.get("remote_pages").asLong());
        assertEquals(1_200_000, ramster.get("remote_bytes").asLong());
        assertEquals(1_900_000, ramster.get("redis_used_memory_bytes").asLong());
        assertEquals(65_536, ramster.get("dictionary_bytes").asLong());
        assertEquals(400, ramster.get("recompressed_pages").asLong());
        assertEquals(1.3, ramster.get("recompressed_effective_ratio").asDouble(), 1e-9);
        assertEquals(4_055_040.0 / (3_276_800 + 16_000 + 65_536), ZBUD.effectiveRatio(), 1e-9,
            "dictionaries count as memory used");
        assertEquals("lz4", json.get("codec").asText());
        assertEquals(1000, json.get("pages").asLong());
        assertEquals(0, json.get("pages_in_file").asLong());
        assertEquals(1.6667, json.get("ratio").asDouble(), 1e-9, "4096000 / 2457600 to 4 places");
        assertEquals(4_096_000, json.get("original_bytes").asLong());
        assertEquals(2_457_600, json.get("compressed_bytes").asLong());
        assertEquals(2_510_848, json.get("pool_bytes").asLong());
        assertEquals(16_000, json.get("metadata_bytes").asLong());
        assertEquals(0.9788, json.get("density").asDouble(), 1e-9, "2457600 / 2510848 to 4 places");
        assertEquals(1.621, json.get("effective_ratio").asDouble(), 1e-9, "4096000 / (2510848 + 16000) = 1.62097");
        assertEquals(812.3, json.get("store_mb_s").asDouble(), 1e-9);
        assertEquals(2950.5, json.get("load_mb_s").asDouble(), 1e-9);
        assertEquals(850.0, json.get("codec_compress_mb_s").asDouble(), 1e-9);
        assertEquals(3600.0, json.get("codec_decompress_mb_s").asDouble(), 1e-9);
        assertEquals(2520.0, json.get("codec_decompress_shuffled_mb_s").asDouble(), 1e-9);
        assertEquals(0.61, json.get("churn_density").asDouble(), 1e-9);
        assertEquals(0.975, json.get("compacted_density").asDouble(), 1e-9);
        assertEquals(0.9012, json.get("store_of_codec").asDouble(), 1e-9);
        assertEquals(0.84, json.get("store_of_codec_low").asDouble(), 1e-9);
        assertEquals(0.9556, json.get("store_of_codec_high").asDouble(), 1e-9);
        assertEquals(0.8196, json.get("load_of_codec").asDouble(), 1e-9);
        assertEquals(0.75, json.get("load_of_codec_low").asDouble(), 1e-9);
        assertEquals(0.9, json.get("load_of_codec_high").asDouble(), 1e-9);
        assertTrue(json.get("verified").isBoolean());
        assertTrue(json.get("verified").asBoolean());
        final JsonNode zbud = new ObjectMapper().readTree(StudyJson.line(ZBUD, CONTEXT));
        assertFalse(zbud.get("verified").asBoolean());
        assertEquals(10, zbud.get("pages_in_file").asLong());
        assertEquals(5, zbud.get("pages_raw").asLong());
    }

    @Test
    void everyJsonLineCarriesTheRunsContext() throws IOException
    {
        final JsonNode run = new ObjectMapper().readTree(StudyJson.line(ZSMALLOC, CONTEXT)).get("run");
        final List<String> fields = new ArrayList<>();
        run.fieldNames().forEachRemaining(fields::add);
        assertEquals(StudyJson.RUN_FIELDS, fields);
        assertEquals("9.9.9", run.get("version").asText());
        assertEquals("Vendor 25.0.3+9", run.get("jvm").asText());
        assertEquals("Linux 6.1 amd64", run.get("os").asText());
        assertEquals(2, run.get("cores").asInt());
        assertEquals("2026-12-06T18:00:00Z", run.get("time").asText());
        assertEquals("/corpus/a.bin", run.get("corpus").get(0).asText());
        assertEquals("/corpus/b.bin", run.get("corpus").get(1).asText());
        assertEquals(1000, run.get("corpus_pages").asInt());
        assertEquals(100, run.get("corpus_trailing_bytes").get("/corpus/b.bin").asInt());
        assertEquals(3, run.get("repeat").asInt());
        assertTrue(run.get("pre_touch").asBoolean());
    }

    @Test
    void chartSubtitleSaysCorpusPagesPassesAndJvm()
    {
        assertEquals("1,000 pages of a.bin, b.bin; speeds: fastest of 3 passes, memory pre-touched; Vendor 25.0.3+9, "
            + "2 cores; tmem4j 9.9.9", CONTEXT.subtitle());
    }

    @Test
    void emptyPoolHasDensityZeroNotNaN()
    {
        final StudyResult empty = new StudyResult("zcache", "zbud", "lz4", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, true, 0, 0, 0, 0, 0, 0, PairedShares.of(new double[] {0}, new double[] {0}),
            PairedShares.of(new double[] {0}, new double[] {0}));
        assertEquals(0.0, empty.density());
        assertEquals(0.0, empty.effectiveRatio());
        assertTrue(StudyJson.line(empty, CONTEXT).contains("\"density\":0.0"), StudyJson.line(empty, CONTEXT));
    }

    @Test
    void tableHasAHeaderAndOneRowPerConfigurationAndFlagsAFailedVerification()
    {
        final StringWriter text = new StringWriter();
        StudyTable.print(List.of(ZSMALLOC, ZBUD), new PrintWriter(text, true));
        final List<String> lines = text.toString().lines().toList();
        assertTrue(lines.get(1).startsWith("allocator"), lines.get(1));
        assertTrue(lines.get(2).startsWith("zsmalloc  lz4"), lines.get(2));
        assertTrue(lines.get(2).contains("0.9788"), lines.get(2));
        assertTrue(lines.get(2).contains("90.1% (84.0-95.6)"), "the passes' store shares: " + lines.get(2));
        assertTrue(lines.get(2).contains("82.0% (75.0-90.0)"), "the passes' load shares: " + lines.get(2));
        assertTrue(lines.get(2).contains(" 3600.0    2520.0 "),
            "decompress back to back, then shuffled: " + lines.get(2));
        assertTrue(lines.get(2).endsWith("yes"), lines.get(2));
        assertTrue(lines.get(3).startsWith("zbud      zstd:3"), lines.get(3));
        assertTrue(lines.get(3).contains("NO"), lines.get(3));
        assertTrue(lines.get(3).startsWith("zbud      zstd:3        10 "), "10 pages in file: " + lines.get(3));
    }

    @Test
    void throughputLabelsGiveTheShareOfTheRawCodec()
    {
        assertEquals("zsmalloc / lz4: store 90%, load 82% of codec", StudyCharts.throughputLabel(ZSMALLOC));
        assertEquals(0.9012, ZSMALLOC.storeShareOfCodec(), 1e-12);
        assertEquals(0.8196, ZSMALLOC.loadShareOfCodec(), 1e-12);
    }

    @Test
    void sharesArePairedPassByPassAndSummedUpByTheirMedianLowestAndHighest()
    {
        // the codec's fastest pass (1000) and the engine's (900) are of different passes: 0.9 is no pass's share
        final PairedShares odd = PairedShares.of(new double[] {900, 400, 600}, new double[] {1000, 500, 1000});
        assertEquals(0.8, odd.median(), 1e-12);
        assertEquals(0.6, odd.low(), 1e-12);
        assertEquals(0.9, odd.high(), 1e-12);
        final PairedShares even = PairedShares.of(new double[] {50, 70, 90, 60}, new double[] {100, 100, 100, 100});
        assertEquals(0.65, even.median(), 1e-12, "the mean of the middle two");
        assertEquals(0.5, even.low(), 1e-12);
        assertEquals(0.9, even.high(), 1e-12);
        final PairedShares unknownCodec = PairedShares.of(new double[] {10}, new double[] {0});
        assertEquals(0.0, unknownCodec.median());
        final IllegalArgumentException mismatched = assertThrows(IllegalArgumentException.class,
            () -> PairedShares.of(new double[] {1, 2}, new double[] {1}));
        assertTrue(mismatched.getMessage().contains("2 and 1"), mismatched.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PairedShares.of(new double[0], new double[0]));
    }

    @Test
    void classesChartHasABarPerClassHoldingObjectsAndNoneForEmptyClasses()
    {
        final CategoryChart chart = StudyCharts.classesChart("lz4", List.of(new SizeClassOccupancy(32, 0, 0),
            new SizeClassOccupancy(1600, 700, 12_000), new SizeClassOccupancy(2048, 300, 40_000)));
        for (final CategorySeries series : chart.getSeriesMap().values())
        {
            assertEquals(CategorySeriesRenderStyle.Bar, series.getChartCategorySeriesRenderStyle(), series.getName());
            assertEquals(List.of("1600", "2048"), series.getXData(), series.getName());
        }
    }

    @Test
    void chartsAreWrittenAsNonEmptyPngFiles(@TempDir final Path dir) throws IOException
    {
        final List<SizeClassOccupancy> classes = List.of(new SizeClassOccupancy(32, 0, 0),
            new SizeClassOccupancy(1600, 700, 12_000), new SizeClassOccupancy(2048, 300, 40_000));
        final List<Path> files = StudyCharts.write(dir.resolve("plots"),
            new StudyResults(CONTEXT, List.of(ZSMALLOC, ZBUD), Map.of("lz4", classes), Map.of()));
        assertEquals(List.of(dir.resolve("plots").resolve(StudyCharts.DENSITY),
            dir.resolve("plots").resolve(StudyCharts.THROUGHPUT),
            dir.resolve("plots").resolve("zsmalloc-classes-lz4.png")), files);
        for (final Path file : files)
        {
            final byte[] png = Files.readAllBytes(file);
            assertTrue(png.length > 1000, file + " has " + png.length + " bytes");
            assertEquals((byte)0x89, png[0], file.toString());
            assertEquals("PNG", new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII), file.toString());
        }
    }
}
