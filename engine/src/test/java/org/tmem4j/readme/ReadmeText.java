package org.tmem4j.readme;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The one way a test keeps the README honest: code the README shows is a marked region of a test source that
 * compiles and runs, and generated text (tables) sits between HTML comment markers. Tests run in their module's
 * directory, so the README is the parent directory's.
 */
public final class ReadmeText
{
    private static final Path README = Path.of("").toAbsolutePath().resolveSibling("README.md");

    private ReadmeText()
    {
    }

    /**
     * Asserts that the README shows, as one fenced java block, exactly the lines of {@code source} strictly between
     * the line {@code begins} and the line {@code ends}.
     *
     * @param source a test source file, relative to the module's directory
     * @param begins the marker line before the shown code
     * @param ends   the marker line after it
     */
    public static void assertShowsJavaBlock(final Path source, final String begins, final String ends)
    {
        final List<String> lines = lines(source);
        final int from = lines.indexOf(begins);
        final int to = lines.indexOf(ends);
        assertTrue(from >= 0 && to > from, source + " must hold the lines '" + begins + "' and '" + ends + "'");
        final String code = String.join("\n", lines.subList(from + 1, to));
        assertTrue(readme().contains("```java\n" + code + "\n```"),
            README + " must show " + source + " between its markers as a java block; it should be:\n" + code);
    }

    /**
     * Returns the README's text strictly between two marker lines, stripped.
     *
     * @param begins the marker before the section
     * @param ends   the marker after it
     * @return the section's text
     */
    public static String section(final String begins, final String ends)
    {
        final String readme = readme();
        final int from = readme.indexOf(begins);
        final int to = readme.indexOf(ends);
        assertTrue(from >= 0 && to > from, README + " has no section between '" + begins + "' and '" + ends + "'");
        return readme.substring(from + begins.length(), to).strip();
    }

    /**
     * Runs an example's {@code main} and returns what it printed on standard output.
     *
     * @param main the example's main method
     * @param args its arguments
     * @return its standard output
     * @throws Exception what the example threw
     */
    public static String printedBy(final Main main, final String... args) throws Exception
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try
        {
            main.run(args);
        }
        finally
        {
            System.setOut(stdout);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** An example's {@code main(String[])}. */
    @FunctionalInterface
    public interface Main
    {
        /**
         * Runs the example.
         *
         * @param args its arguments
         * @throws Exception what it throws
         */
        void run(String[] args) throws Exception;
    }

    private static String readme()
    {
        try
        {
            return Files.readString(README);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(final Path source)
    {
        try
        {
            return Files.readAllLines(source);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }
}
