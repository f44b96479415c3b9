import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDictCompress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * What any raw-content zstd dictionary can do for a corpus of 4 KiB pages compressed one page at a time, as a store
 * must: the ceiling an engine's dictionaries, made from the pages seen so far, can approach but not pass.
 * <p>
 * For each dictionary size from 64 KiB to 1 MiB, the dictionary is whole pages spread evenly over the entire corpus
 * (which no engine sees before it stores them); every page that is not one repeated 8-byte word is compressed
 * alone with and without it, at the same level, as the engine's frames are (magicless, no content size, no
 * dictionary id). Printed: the codec's ratio without a dictionary, with each one, and with the dictionary's own
 * bytes counted once, as the engine's effective ratio counts its dictionaries.
 * <pre>
 *   ./tmem4j build
 *   java -cp cli/target/tmem4j-cli.jar scripts/DictionaryCeiling.java CORPUS [LEVEL]   # LEVEL: default 3
 * </pre>
 */
public final class DictionaryCeiling
{
    private static final int PAGE = 4096;
    private static final int[] DICTIONARY_KIB = {64, 128, 256, 512, 1024};

    private DictionaryCeiling()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length < 1 || args.length > 2)
        {
            System.err.println("usage: java -cp cli/target/tmem4j-cli.jar scripts/DictionaryCeiling.java CORPUS "
                + "[LEVEL]");
            System.exit(2);
        }
        final byte[] corpus = Files.readAllBytes(Path.of(args[0]));
        final int level = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final byte[][] pages = compressiblePages(corpus);
        if (pages.length == 0)
        {
            System.err.println(args[0] + " holds no page that is not one repeated word");
            System.exit(2);
        }
        final long original = (long)pages.length * PAGE;
        final long plain;
        try (ZstdCompressCtx context = new ZstdCompressCtx())
        {
            context.setLevel(level).setMagicless(true).setContentSize(false).setDictID(false);
            plain = compressedBytes(context, pages);
        }
        System.out.printf(Locale.ROOT, "%s: %,d pages of %,d not one repeated word; zstd:%d page by page: ratio %.3f%n",
            args[0], pages.length, corpus.length / PAGE, level, (double)original / plain);
        System.out.printf(Locale.ROOT, "%-16s %8s %22s %16s%n", "dictionary", "ratio", "ratio, dictionary counted",
            "x zstd:" + level);
        for (final int kib : DICTIONARY_KIB)
        {
            final byte[] dictionary = spreadPages(pages, kib * 1024 / PAGE);
            final long withDictionary;
            try (ZstdDictCompress prepared = new ZstdDictCompress(dictionary, level);
                ZstdCompressCtx context = new ZstdCompressCtx())
            {
                context.setLevel(level).setMagicless(true).setContentSize(false).setDictID(false);
                context.loadDict(prepared);
                withDictionary = compressedBytes(context, pages);
            }
            final long counted = withDictionary + dictionary.length;
            System.out.printf(Locale.ROOT, "%-16s %8.3f %22.3f %16.3f%n", kib + " KiB raw", (double)original
                / withDictionary, (double)original / counted, (double)plain / counted);
        }
    }

    /** The pages that are not one repeated 8-byte word (the engine stores those as the word, uncompressed). */
    private static byte[][] compressiblePages(final byte[] corpus)
    {
        return IntStream.range(0, corpus.length / PAGE)
            .mapToObj(i -> Arrays.copyOfRange(corpus, i * PAGE, (i + 1) * PAGE))
            .filter(page -> !sameFilled(page))
            .toArray(byte[][]::new);
    }

    private static boolean sameFilled(final byte[] page)
    {
        for (int i = 8; i < PAGE; i++)
        {
            if (page[i] != page[i & 7])
            {
                return false;
            }
        }
        return true;
    }

    /** {@code count} whole pages, evenly spaced over the corpus, each from the middle of its stretch. */
    private static byte[] spreadPages(final byte[][] pages, final int count)
    {
        final int taken = Math.min(count, pages.length);
        final byte[] dictionary = new byte[taken * PAGE];
        for (int j = 0; j < taken; j++)
        {
            final int page = (int)(((long)pages.length * j + pages.length / 2) / taken);
            System.arraycopy(pages[page], 0, dictionary, j * PAGE, PAGE);
        }
        return dictionary;
    }

    private static long compressedBytes(final ZstdCompressCtx context, final byte[][] pages)
    {
        long bytes = 0;
        for (final byte[] page : pages)
        {
            bytes += context.compress(page).length;
        }
        return bytes;
    }
}
