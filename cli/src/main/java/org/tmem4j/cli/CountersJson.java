package org.tmem4j.cli;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.tmem4j.stats.CounterValue;
import org.tmem4j.stats.CountersFileReader;
import org.tmem4j.stats.CountersSnapshot;

/**
 * {@code stat --json}: one JSON object per sample, on its own line, with exactly the fields {@link #FIELDS} in that
 * order. {@code counters} maps each counter's {@code kind/name/counter} label to its value; {@code published_ms},
 * the writer's own clock at the sample, lets a reader of successive lines compute rates exactly. With
 * {@code --describe} a last field, {@value #DESCRIPTIONS}, maps each label to its {@code type} ({@code counter}: take
 * its rate; {@code gauge}: its value), {@code unit} and {@code description}.
 */
final class CountersJson
{
    /** Every field of a line, in order. */
    static final List<String> FIELDS = List.of("pid", "file", "time", "published_ms", "dropped_counters", "counters");
    /** The field {@code --describe} adds. */
    static final String DESCRIPTIONS = "descriptions";

    private static final JsonFactory FACTORY = new JsonFactory();

    private CountersJson()
    {
    }

    /**
     * @param reader   the file the sample came from.
     * @param snapshot the sample.
     * @param now      when it was taken.
     * @param describe whether to add {@value #DESCRIPTIONS}.
     * @return its JSON object on one line, without a line terminator.
     */
    static String line(final CountersFileReader reader, final CountersSnapshot snapshot, final Instant now,
        final boolean describe)
    {
        final StringWriter text = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(text))
        {
            json.writeStartObject();
            json.writeNumberField("pid", reader.pid());
            json.writeStringField("file", reader.path().toString());
            json.writeStringField("time", now.toString());
            json.writeNumberField("published_ms", snapshot.heartbeatMs());
            json.writeNumberField("dropped_counters", snapshot.droppedCounters());
            json.writeObjectFieldStart("counters");
            for (final CounterValue counter : snapshot.counters())
            {
                json.writeNumberField(counter.label(), counter.value());
            }
            json.writeEndObject();
            if (describe)
            {
                json.writeObjectFieldStart(DESCRIPTIONS);
                for (final CounterValue counter : snapshot.counters())
                {
                    json.writeObjectFieldStart(counter.label());
                    json.writeStringField("type", counter.description().kind().label());
                    json.writeStringField("unit", counter.description().unit().symbol());
                    json.writeStringField("description", counter.description().description());
                    json.writeEndObject();
                }
                json.writeEndObject();
            }
            json.writeEndObject();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("writing JSON to a string", ex);
        }
        return text.toString();
    }
}
