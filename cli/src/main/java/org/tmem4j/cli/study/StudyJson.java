package org.tmem4j.cli.study;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * The study's machine-readable output: one JSON object per configuration on its own line, with exactly the fields
 * {@link #FIELDS}, in that order, so a line can be read by {@code jq}, pandas or a spreadsheet without knowing
 * tmem4j.
 */
public final class StudyJson
{
    /** Every field of a line, in order. */
    public static final List<String> FIELDS = List.of(
        "allocator", "codec", "pages", "original_bytes", "compressed_bytes", "pool_bytes", "metadata_bytes",
        "density", "effective_ratio", "store_mb_s", "load_mb_s", "codec_compress_mb_s", "codec_decompress_mb_s",
        "churn_density", "compacted_density", "verified");

    private static final JsonFactory FACTORY = new JsonFactory();

    private StudyJson()
    {
    }

    /**
     * @param result one configuration's figures.
     * @return its JSON object on one line, without a line terminator.
     */
    public static String line(final StudyResult result)
    {
        final StringWriter text = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(text))
        {
            json.writeStartObject();
            json.writeStringField("allocator", result.allocator());
            json.writeStringField("codec", result.codec());
            json.writeNumberField("pages", result.pages());
            json.writeNumberField("original_bytes", result.originalBytes());
            json.writeNumberField("compressed_bytes", result.compressedBytes());
            json.writeNumberField("pool_bytes", result.poolBytes());
            json.writeNumberField("metadata_bytes", result.metadataBytes());
            json.writeNumberField("density", round(result.density(), 4));
            json.writeNumberField("effective_ratio", round(result.effectiveRatio(), 4));
            json.writeNumberField("store_mb_s", round(result.storeMbPerS(), 1));
            json.writeNumberField("load_mb_s", round(result.loadMbPerS(), 1));
            json.writeNumberField("codec_compress_mb_s", round(result.codecCompressMbPerS(), 1));
            json.writeNumberField("codec_decompress_mb_s", round(result.codecDecompressMbPerS(), 1));
            json.writeNumberField("churn_density", round(result.churnDensity(), 4));
            json.writeNumberField("compacted_density", round(result.compactedDensity(), 4));
            json.writeBooleanField("verified", result.verified());
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
    private static double round(final double value, final int places)
    {
        final double scale = Math.pow(10, places);
        return Math.round(value * scale) / scale;
    }
}
