package org.tmem4j.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.readme.ReadmeText;

/**
 * The README's usage example is {@link ReadmeExample}, character for character between its markers, and it runs
 * here: the README shows code that compiles as shown, imports and declarations included, and cannot drift from
 * the API.
 */
final class ReadmeExampleTest
{
    @Test
    void readmeShowsTheExampleExactlyAsCompiled()
    {
        ReadmeText.assertShowsJavaBlock(Path.of("src/test/java/org/tmem4j/frontend/ReadmeExample.java"),
            "// README example begins", "// README example ends");
    }

    @Test
    void theExampleStoresAndLoadsBitExact(@TempDir final Path dir) throws Exception
    {
        assertEquals("cleancache hit: true; swapped page intact: true" + System.lineSeparator(),
            ReadmeText.printedBy(ReadmeExample::main, dir.toString()));
    }
}
