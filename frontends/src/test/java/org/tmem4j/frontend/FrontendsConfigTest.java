package org.tmem4j.frontend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.alloc.CompactionPolicy;
import org.tmem4j.codec.CodecSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrontendsConfigTest
{
    @TempDir
    Path dir;

    @Test
    void defaults()
    {
        final FrontendsConfig config = FrontendsConfig.defaults();
        assertTrue(config.cleancacheEnabled());
        assertTrue(config.frontswapEnabled());
        assertEquals("zcache", config.backend());
        assertEquals("zsmalloc", config.allocator());
        assertEquals("lz4:1", config.codecSpec().toString());
        assertEquals(256L << 20, config.budgetBytes());
        assertFalse(config.preTouch());
        assertEquals(128 << 10, config.dictionaryBytes());
        assertEquals(256, config.buckets());
        assertFalse(config.exclusiveGets());
        assertFalse(config.writethrough());
        assertFalse(config.checksum());
        assertFalse(config.selfshrink());
        assertEquals(Duration.ofSeconds(5), config.selfshrinkInterval());
    }

    @Test
    void everyKeyFromAFileThenPropertiesWin() throws Exception
    {
        final Path file = dir.resolve("frontends.properties");
        Files.writeString(file, """
            tmem4j.frontends.cleancache.enabled=false
            tmem4j.frontends.frontswap.enabled=false
            tmem4j.frontends.backend=map
            tmem4j.frontends.allocator=zbud
            tmem4j.frontends.codec=zstd
            tmem4j.frontends.codec.level=-5
            tmem4j.frontends.codec.dictionaryBytes=256k
            tmem4j.frontends.budget=64M
            tmem4j.frontends.preTouch=true
            tmem4j.frontends.buckets=1024
            tmem4j.frontends.frontswap.exclusiveGets=true
            tmem4j.frontends.frontswap.writethrough=TRUE
            tmem4j.frontends.checksum=true
            tmem4j.frontends.frontswap.selfshrink=true
            tmem4j.frontends.frontswap.selfshrink.intervalMs=250
            tmem4j.frontends.compaction.freeablePercent=25
            tmem4j.frontends.compaction.intervalMs=40
            unrelated.key=whatever
            """);
        final Properties override = new Properties();
        override.setProperty("tmem4j.frontends.budget", "1g");
        final FrontendsConfig config = FrontendsConfig.builder().file(file).properties(override).build();
        assertFalse(config.cleancacheEnabled());
        assertFalse(config.frontswapEnabled());
        assertEquals("map", config.backend());
        assertEquals("zbud", config.allocator());
        assertEquals("zstd:-5", config.codecSpec().toString());
        assertEquals(1L << 30, config.budgetBytes());
        assertTrue(config.preTouch());
        assertEquals(256 << 10, config.dictionaryBytes());
        assertEquals(1024, config.buckets());
        assertTrue(config.exclusiveGets());
        assertTrue(config.writethrough());
        assertTrue(config.checksum());
        assertTrue(config.selfshrink());
        assertEquals(Duration.ofMillis(250), config.selfshrinkInterval());
        assertEquals(new CompactionPolicy(25, Duration.ofMillis(40)), config.compaction());
        final FrontendsConfig roundTrip = FrontendsConfig.builder().properties(config.toProperties()).build();
        assertEquals(config.toProperties(), roundTrip.toProperties());
    }

    @Test
    void systemPropertiesAndTheConfigFileProperty() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("f.properties"), "tmem4j.frontends.buckets=64\n");
        System.setProperty(FrontendsConfig.CONFIG_FILE_PROPERTY, file.toString());
        System.setProperty("tmem4j.frontends.codec", "zstd");
        try
        {
            final FrontendsConfig config = FrontendsConfig.fromEnvironment();
            assertEquals(64, config.buckets());
            assertEquals("zstd:3", config.codecSpec().toString(), "zstd's default level");
        }
        finally
        {
            System.clearProperty(FrontendsConfig.CONFIG_FILE_PROPERTY);
            System.clearProperty("tmem4j.frontends.codec");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tmem4j.frontends.cleancache.enabled | yes    | true or false",
        "tmem4j.frontends.allocator          | slab   | allowed: one of",
        "tmem4j.frontends.codec              | lzo    | lz4, zstd or zstd+dict",
        "tmem4j.frontends.codec.level        | 23     | a zstd level from -131072 to 22",
        "tmem4j.frontends.codec.level        | high   | a whole number: an lz4 acceleration from 1 to 65537",
        "tmem4j.frontends.budget             | 12X    | a whole number of bytes from 4096 to 8388607T",
        "tmem4j.frontends.budget             | 100    | a whole number of bytes from 4096",
        "tmem4j.frontends.budget             | 1K     | a whole number of bytes from 4096",
        "tmem4j.frontends.budget             | 99999999999T | to 8388607T",
        "tmem4j.frontends.budget             | -1K    | a whole number of bytes",
        "tmem4j.frontends.preTouch           | on     | true or false",
        "tmem4j.frontends.budget             | 1.5G   | a whole number of bytes",
        "tmem4j.frontends.codec.dictionaryBytes | 2M  | a whole number of bytes from 256 to 1M (1048576)",
        "tmem4j.frontends.codec.dictionaryBytes | 255 | a whole number of bytes from 256 to 1M",
        "tmem4j.frontends.codec.dictionaryBytes | 8G  | a whole number of bytes from 256 to 1M",
        "tmem4j.frontends.codec.dictionaryBytes | 64KB | with an optional K or M suffix",
        "tmem4j.frontends.buckets            | 300    | a power of two from 1 to 65536",
        "tmem4j.frontends.buckets            | 0      | a power of two from 1 to 65536",
        "tmem4j.frontends.frontswap.selfshrink.intervalMs | 0 | at least 1",
        "tmem4j.frontends.compaction.freeablePercent | 101 | 0 (off) or 1 to 100",
        "tmem4j.frontends.compaction.intervalMs | 0 | at least 1",
    })
    void invalidValuesNameKeyValueAndWhatIsAllowed(final String key, final String value, final String allowed)
    {
        final Properties properties = new Properties();
        properties.setProperty("tmem4j.frontends.codec", "zstd");
        properties.setProperty(key, value);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> FrontendsConfig.builder().properties(properties).build());
        assertTrue(ex.getMessage().contains(key + "=" + value), ex.getMessage());
        assertTrue(ex.getMessage().contains(allowed), ex.getMessage());
    }

    @Test
    void aBackendsOwnKeysPassThroughToItsProvider()
    {
        final Properties properties = new Properties();
        properties.setProperty("tmem4j.frontends.ramster.ephemeral.uri", "redis://127.0.0.1:6379");
        properties.setProperty("tmem4j.frontends.ramster.timeoutMs", "100");
        properties.setProperty("tmem4j.frontends.other.key", "x");
        final FrontendsConfig config = FrontendsConfig.builder().properties(properties).build();
        assertEquals(java.util.Map.of("ephemeral.uri", "redis://127.0.0.1:6379", "timeoutMs", "100"),
            config.backendSettings("ramster"));
        assertEquals(java.util.Map.of("key", "x"), config.backendSettings("other"));
        assertEquals(config.backendSettings("ramster"), FrontendsConfig.builder().properties(config.toProperties())
            .build().backendSettings("ramster"), "toProperties keeps them");
        final Properties typo = new Properties();
        typo.setProperty("tmem4j.frontends.frontswap.writethru", "true");
        assertThrows(IllegalArgumentException.class, () -> FrontendsConfig.builder().properties(typo),
            "a typo in a frontends key is not taken for a backend's key");
        assertThrows(IllegalArgumentException.class, () -> FrontendsConfig.builder().backendSetting("codec.x", "1"));
    }

    @Test
    void namesAreReadInAnyCaseByTheBuilderAndThePropertiesAlike()
    {
        final Properties properties = new Properties();
        properties.setProperty("tmem4j.frontends.codec", "ZSTD");
        properties.setProperty("tmem4j.frontends.allocator", "ZBud");
        final FrontendsConfig fromProperties = FrontendsConfig.builder().properties(properties).build();
        final FrontendsConfig fromBuilder = FrontendsConfig.builder().codec("Zstd").allocator("ZBUD").build();
        for (final FrontendsConfig config : List.of(fromProperties, fromBuilder))
        {
            assertEquals("zstd", config.codec());
            assertEquals("zbud", config.allocator());
        }
        assertEquals("lz4", FrontendsConfig.builder().codec("LZ4").build().codec());
        assertEquals("zsmalloc", FrontendsConfig.builder().allocator("ZSMALLOC").build().allocator());
    }

    @Test
    void aDictionaryCodecReachesTheEngineAndSurvivesARoundTrip()
    {
        final Properties properties = new Properties();
        properties.setProperty("tmem4j.frontends.codec", "ZSTD+Dict");
        properties.setProperty("tmem4j.frontends.codec.level", "9");
        final FrontendsConfig config = FrontendsConfig.builder().properties(properties).build();
        assertEquals("zstd+dict", config.codec());
        assertEquals(new CodecSpec("zstd", 9, true), config.codecSpec());
        assertEquals(config.codecSpec(), FrontendsConfig.builder().properties(config.toProperties()).build()
            .codecSpec());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> FrontendsConfig.builder().codec("lz4+dict"));
        assertTrue(ex.getMessage().contains("zstd+dict"), ex.getMessage());
    }

    @Test
    void recompressionKeysReachTheConfigurationAndSurviveARoundTrip()
    {
        final Properties properties = new Properties();
        properties.setProperty("tmem4j.frontends.recompress", "zstd:9+dict");
        properties.setProperty("tmem4j.frontends.recompress.idleMs", "0");
        properties.setProperty("tmem4j.frontends.recompress.minSavedBytes", "100");
        properties.setProperty("tmem4j.frontends.recompress.intervalMs", "250");
        properties.setProperty("tmem4j.frontends.recompress.coldestFraction", "0.25");
        final FrontendsConfig config = FrontendsConfig.builder().properties(properties).build();
        assertEquals(new CodecSpec("zstd", 9, true), config.recompress());
        assertEquals(0, config.recompressIdleMs());
        assertEquals(0.25, config.recompressColdestFraction());
        assertEquals(100, config.recompressMinSavedBytes());
        assertEquals(250, config.recompressIntervalMs());
        final FrontendsConfig again = FrontendsConfig.builder().properties(config.toProperties()).build();
        assertEquals(config.recompress(), again.recompress());
        assertEquals(0.25, again.recompressColdestFraction());
        assertEquals(0, FrontendsConfig.defaults().recompressColdestFraction());
        for (final String bad : List.of("-0.1", "1.5", "NaN", "half"))
        {
            final Properties fraction = new Properties();
            fraction.setProperty("tmem4j.frontends.recompress.coldestFraction", bad);
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> FrontendsConfig.builder().properties(fraction).build());
            assertTrue(ex.getMessage().contains("tmem4j.frontends.recompress.coldestFraction=" + bad) &&
                ex.getMessage().contains("at most 1"), ex.getMessage());
        }
        assertEquals(null, FrontendsConfig.defaults().recompress());
        assertEquals(null, FrontendsConfig.builder().properties(FrontendsConfig.defaults().toProperties()).build()
            .recompress());
        for (final String bad : List.of("lz4", "zstd:99", "fast"))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> FrontendsConfig.builder().recompress(bad));
            assertTrue(ex.getMessage().contains("tmem4j.frontends.recompress") && ex.getMessage().contains("off"),
                ex.getMessage());
        }
    }

    @Test
    void nullsAreRefusedNamingTheParameter()
    {
        final FrontendsConfig.Builder builder = FrontendsConfig.builder();
        for (final Executable call : List.<Executable>of(
            () -> builder.backend(null), () -> builder.allocator(null), () -> builder.codec(null),
            () -> builder.selfshrinkInterval(null), () -> builder.properties(null), () -> builder.file(null)))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, call);
            assertTrue(ex.getMessage().contains("null"), ex.getMessage());
        }
    }

    @Test
    void aFileWithAMalformedEscapeIsNamed() throws Exception
    {
        final Path file = dir.resolve("escape.properties");
        Files.writeString(file, "tmem4j.frontends.backend=z\\u12zz\n");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> FrontendsConfig.builder().file(file));
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("\\uxxxx"), ex.getMessage());
        Files.writeString(file, "tmem4j.frontends.budget=1.5G\n");
        final IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
            () -> FrontendsConfig.builder().file(file));
        assertTrue(value.getMessage().contains(file + ": tmem4j.frontends.budget=1.5G"), value.getMessage());
    }

    @Test
    void unknownKeysAndLevelsOutsideTheCodecsRangeAreErrors()
    {
        final Properties typo = new Properties();
        typo.setProperty("tmem4j.frontends.budjet", "1M");
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> FrontendsConfig.builder().properties(typo));
        assertTrue(unknown.getMessage().contains("unknown key tmem4j.frontends.budjet"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("tmem4j.frontends.budget"), unknown.getMessage());
        final IllegalArgumentException lz4 = assertThrows(IllegalArgumentException.class,
            () -> FrontendsConfig.builder().codecLevel(0).build());
        assertTrue(lz4.getMessage().contains("tmem4j.frontends.codec.level=0 is not allowed; allowed: an lz4 "
            + "acceleration from 1 to 65537"), lz4.getMessage());
        assertEquals("lz4:8", FrontendsConfig.builder().codecLevel(8).build().codecSpec().toString());
        assertThrows(java.io.UncheckedIOException.class,
            () -> FrontendsConfig.builder().file(dir.resolve("missing.properties")));
    }
}
