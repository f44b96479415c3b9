package org.tmem4j.cli.study;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * The study's machine-readable output: one JSON object per configuration on its own line, with exactly the fields
 * {@link #FIELDS}, in that order, so a line can be read by {@code jq}, pandas or a spreadsheet without knowing
 * tmem4j. The last, {@code run}, is an object with the fields {@link #RUN_FIELDS}: the study's
 * {@link StudyContext}, the same on every line of one run, so that each line stands on its own.
 */
public final class StudyJson
{
    /** Every field of a line, in order. */
    public static final List<String> FIELDS = List.of(
        "allocator", "codec", "pages", "pages_in_file", "pages_raw", "original_bytes", "compressed_bytes", "ratio", "pool_bytes",
        "metadata_bytes", "density", "effective_ratio", "store_mb_s", "load_mb_s", "codec_compress_mb_s",
        "codec_decompress_mb_s", "codec_decompress_shuffled_mb_s", "churn_density", "compacted_density", "verified",
        "backend", "remote_pages", "remote_bytes", "redis_used_memory_bytes", "dictionary_bytes", "recompressed_pages",
        "recompressed_effective_ratio", "store_of_codec", "store_of_codec_low", "store_of_codec_high",
        "load_of_codec", "load_of_codec_low", "load_of_codec_high", "run");

    /** Every field of the {@code run} object, in order. */
    public static final List<String> RUN_FIELDS = List.of(
        "version", "jvm", "os", "cores", "time", "corpus", "corpus_pages", "corpus_trailing_bytes", "repeat",
        "pre_touch");

    private static final JsonFactory FACTORY = new JsonFactory();

    private StudyJson()
    {
    }

    /**
     * @param result  one configuration's figures.
     * @param context the study's context.
     * @return its JSON object on one line, without a line terminator.
     */
    public static String line(final StudyResult result, final StudyContext context)
    {
        final StringWriter text = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(text))
        {
            json.writeStartObject();
            json.writeStringField("allocator", result.allocator());
            json.writeStringField("codec", result.codec());
            json.writeNumberField("pages", result.pages());
            json.writeNumberField("pages_in_file", result.pagesInFile());
            json.writeNumberField("pages_raw", result.pagesRaw());
            json.writeNumberField("original_bytes", result.originalBytes());
            json.writeNumberField("compressed_bytes", result.compressedBytes());
            json.writeNumberField("ratio", round(result.compressionRatio(), 4));
            json.writeNumberField("pool_bytes", result.poolBytes());
            json.writeNumberField("metadata_bytes", result.metadataBytes());
            json.writeNumberField("density", round(result.density(), 4));
            json.writeNumberField("effective_ratio", round(result.effectiveRatio(), 4));
            json.writeNumberField("store_mb_s", round(result.storeMbPerS(), 1));
            json.writeNumberField("load_mb_s", round(result.loadMbPerS(), 1));
            json.writeNumberField("codec_compress_mb_s", round(result.codecCompressMbPerS(), 1));
            json.writeNumberField("codec_decompress_mb_s", round(result.codecDecompressMbPerS(), 1));
            json.writeNumberField("codec_decompress_shuffled_mb_s",
                round(result.codecShuffledDecompressMbPerS(), 1));
            json.writeNumberField("churn_density", round(result.churnDensity(), 4));
            if (Double.isNaN(result.compactedDensity()))
            {
                // a running host daemon's store, which the study does not compact
                json.writeNullField("compacted_density");
            }
            else
            {
                json.writeNumberField("compacted_density", round(result.compactedDensity(), 4));
            }
            json.writeBooleanField("verified", result.verified());
            json.writeStringField("backend", result.backend());
            json.writeNumberField("remote_pages", result.remotePages());
            json.writeNumberField("remote_bytes", result.remoteBytes());
            json.writeNumberField("redis_used_memory_bytes", result.redisUsedMemoryBytes());
            json.writeNumberField("dictionary_bytes", result.dictionaryBytes());
            json.writeNumberField("recompressed_pages", result.recompressedPages());
            json.writeNumberField("recompressed_effective_ratio", round(result.recompressedEffectiveRatio(), 4));
            shares(json, "store_of_codec", result.storeShares());
            shares(json, "load_of_codec", result.loadShares());
            json.writeObjectFieldStart("run");
            json.writeStringField("version", context.version());
            json.writeStringField("jvm", context.jvm());
            json.writeStringField("os", context.os());
            json.writeNumberField("cores", context.cores());
            json.writeStringField("time", context.start().toString());
            json.writeArrayFieldStart("corpus");
            for (final Path file : context.corpus())
            {
                json.writeString(file.toString());
            }
            json.writeEndArray();
            json.writeNumberField("corpus_pages", context.pages());
            json.writeObjectFieldStart("corpus_trailing_bytes");
            for (final Map.Entry<Path, Integer> file : context.trailingBytes().entrySet())
            {
                json.writeNumberField(file.getKey().toString(), file.getValue());
            }
            json.writeEndObject();
            json.writeNumberField("repeat", context.repeat());
            json.writeBooleanField("pre_touch", context.preTouch());
            json.writeEndObject();
            json.writeEndObject();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("writing JSON to a string", ex);
        }
        return text.toString();
    }

    /**
     * Rounds for output only: densities to 4 places are finer than any difference the study can resolve, and MB/s
     * to 0.1 is finer than run-to-run noise; the figures computed from the byte counts are exact either way.
     */
    private static void shares(final JsonGenerator json, final String name, final PairedShares shares)
        throws IOException
    {
        json.writeNumberField(name, round(shares.median(), 4));
        json.writeNumberField(name + "_low", round(shares.low(), 4));
        json.writeNumberField(name + "_high", round(shares.high(), 4));
    }

    private static double round(final double value, final int places)
    {
        final double scale = Math.pow(10, places);
        return Math.round(value * scale) / scale;
    }
}
