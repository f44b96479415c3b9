package org.tmem4j.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's usage example is {@link ReadmeExample}, character for character between its markers: this test
 * checks that the README's first Java block is exactly that text, and runs it. So the README shows code that
 * compiles as shown, imports and declarations included, and cannot drift from the API.
 */
final class ReadmeExampleTest
{
    private static final String BEGINS = "// README example begins";
    private static final String ENDS = "// README example ends";

    @Test
    void readmeShowsTheExampleExactlyAsCompiled() throws IOException
    {
        // surefire runs in the module's directory; the README is the repository's
        final Path readme = Path.of("").toAbsolutePath().resolveSibling("README.md");
        final Path example = Path.of("src/test/java/org/tmem4j/frontend/ReadmeExample.java");
        assertEquals(marked(Files.readAllLines(example)), firstJavaBlock(Files.readAllLines(readme)),
            readme + "'s first java block must be " + example + " between '" + BEGINS + "' and '" + ENDS + "'");
    }

    @Test
    void theExampleStoresAndLoadsBitExact(@TempDir final Path dir) throws IOException
    {
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try
        {
            ReadmeExample.main(new String[] {dir.toString()});
        }
        finally
        {
            System.setOut(stdout);
        }
        assertEquals("cleancache hit: true; swapped page intact: true" + System.lineSeparator(),
            printed.toString(StandardCharsets.UTF_8));
    }

    private static List<String> marked(final List<String> source)
    {
        final int begins = source.indexOf(BEGINS);
        final int ends = source.indexOf(ENDS);
        assertTrue(begins >= 0 && ends > begins, "markers in ReadmeExample.java");
        return source.subList(begins + 1, ends);
    }

    private static List<String> firstJavaBlock(final List<String> readme)
    {
        final int begins = readme.indexOf("```java");
        assertTrue(begins >= 0, "the README has a java block");
        final int ends = readme.subList(begins + 1, readme.size()).indexOf("```") + begins + 1;
        assertTrue(ends > begins, "the README's java block is closed");
        return readme.subList(begins + 1, ends);
    }
}
