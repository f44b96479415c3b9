package org.tmem4j.cli.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageCorpusTest
{
    private static final int PAGE = PageCorpus.PAGE_SIZE;

    /** Writes whole pages whose every byte is the page's tag, then {@code tailBytes} more. */
    private static Path pages(final Path dir, final String name, final int firstTag, final int count,
        final int tailBytes) throws IOException
    {
        final byte[] content = new byte[count * PAGE + tailBytes];
        for (int page = 0; page < count; page++)
        {
            Arrays.fill(content, page * PAGE, (page + 1) * PAGE, (byte)(firstTag + page));
        }
        Arrays.fill(content, count * PAGE, content.length, (byte)0x7F);
        return Files.write(dir.resolve(name), content);
    }

    private static void assertPage(final PageCorpus corpus, final int page, final int tag)
    {
        final long offset = corpus.offset(page);
        for (int i = 0; i < PAGE; i++)
        {
            assertEquals((byte)tag, corpus.segment().get(ValueLayout.JAVA_BYTE, offset + i),
                "page " + page + " byte " + i);
        }
    }

    @Test
    void readsWholePagesOfEveryFileInOrder(@TempDir final Path dir) throws IOException
    {
        final Path first = pages(dir, "a", 1, 3, 100);
        final Path second = pages(dir, "b", 11, 2, 0);
        try (PageCorpus corpus = PageCorpus.read(List.of(first, second), 100))
        {
            assertEquals(5, corpus.pageCount());
            assertEquals(5L * PAGE, corpus.segment().byteSize());
            final int[] tags = {1, 2, 3, 11, 12};
            for (int page = 0; page < tags.length; page++)
            {
                assertPage(corpus, page, tags[page]);
            }
            assertEquals(List.of(first, second), corpus.files());
            assertEquals(Map.of(first, 100), corpus.trailingBytes(), "a's partial last page is left out, b has none");
        }
    }

    /** A cap samples at an even stride across all files rather than taking the first pages. */
    @Test
    void samplesEvenlyUnderACap(@TempDir final Path dir) throws IOException
    {
        final Path first = pages(dir, "a", 1, 4, 0);
        final Path second = pages(dir, "b", 21, 4, 0);
        try (PageCorpus corpus = PageCorpus.read(List.of(first, second), 4))
        {
            assertEquals(4, corpus.pageCount());
            final int[] tags = {1, 3, 21, 23};
            for (int page = 0; page < tags.length; page++)
            {
                assertPage(corpus, page, tags[page]);
            }
        }
        try (PageCorpus corpus = PageCorpus.read(List.of(first, second), 3))
        {
            final int[] tags = {1, 3, 22};
            for (int page = 0; page < tags.length; page++)
            {
                assertPage(corpus, page, tags[page]);
            }
        }
    }

    @Test
    void aBenchmarksCorpusNameIsTheJdksFilesOrOneFile(@TempDir final Path dir) throws IOException
    {
        try (PageCorpus corpus = PageCorpus.named(PageCorpus.DEFAULT_NAME, 4))
        {
            assertEquals(PageCorpus.defaultFiles(), corpus.files());
            assertEquals(4, corpus.pageCount());
        }
        final Path file = pages(dir, "db.pages", 5, 3, 0);
        try (PageCorpus corpus = PageCorpus.named(file.toString(), 100))
        {
            assertEquals(List.of(file), corpus.files());
            assertEquals(3, corpus.pageCount());
            assertPage(corpus, 2, 7);
        }
        assertThrows(UncheckedIOException.class, () -> PageCorpus.named(dir.resolve("absent").toString(), 1));
    }

    @Test
    void defaultsToTheRunningJdk()
    {
        final List<Path> files = PageCorpus.defaultFiles();
        assertTrue(files.stream().anyMatch(file -> file.endsWith("lib/modules")), files.toString());
        try (PageCorpus corpus = PageCorpus.readDefault(16))
        {
            assertEquals(16, corpus.pageCount());
        }
    }

    @Test
    void rejectsBadInputClearly(@TempDir final Path dir) throws IOException
    {
        final Path small = pages(dir, "small", 1, 0, 100);
        final Path good = pages(dir, "good", 1, 1, 0);
        assertThrows(IllegalArgumentException.class, () -> PageCorpus.read(List.of(), 10));
        assertThrows(IllegalArgumentException.class, () -> PageCorpus.read(List.of(good), 0));
        final IllegalArgumentException noPage = assertThrows(IllegalArgumentException.class,
            () -> PageCorpus.read(List.of(small), 10));
        assertTrue(noPage.getMessage().contains("no whole"), noPage.getMessage());
        final UncheckedIOException missing = assertThrows(UncheckedIOException.class,
            () -> PageCorpus.read(List.of(dir.resolve("missing")), 10));
        assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
        try (PageCorpus corpus = PageCorpus.read(List.of(good), 10))
        {
            assertThrows(IndexOutOfBoundsException.class, () -> corpus.offset(1));
        }
    }
}
