package org.tmem4j.stats;

import java.nio.file.Path;

/**
 * Prints a counters file as {@code label=value} lines, preceded by {@code pid=} and {@code stale=}: the reader side
 * of {@link CountersFileOtherProcessTest}, run in its own JVM.
 */
public final class CountersFileDump
{
    private CountersFileDump()
    {
    }

    /**
     * @param args the counters file.
     * @throws Exception if it cannot be read.
     */
    public static void main(final String[] args) throws Exception
    {
        try (CountersFileReader reader = CountersFileReader.open(Path.of(args[0])))
        {
            System.out.println("pid=" + reader.pid());
            System.out.println("stale=" + reader.staleReason(System.currentTimeMillis(), reader.defaultStaleAfterMs())
                .orElse("no"));
            for (final CounterValue counter : reader.snapshot().counters())
            {
                System.out.println(counter.label() + "=" + counter.value() + " " + counter.description().kind().label()
                    + " " + counter.description().unit().symbol() + " " + counter.description().description());
            }
        }
    }
}
