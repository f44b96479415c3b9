import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictTrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * What a zstd dictionary can do for a corpus of 4 KiB pages compressed one page at a time, as a store must: the
 * ceiling an engine's dictionaries, made from the pages seen so far, can approach but not pass.
 * <p>
 * For each dictionary size from 64 KiB to 1 MiB, three dictionaries made with knowledge of the entire corpus (which
 * no engine has before it stores the pages): raw content, whole pages spread evenly over the corpus (what the engine
 * makes); and two that zstd's {@code ZDICT} trains from every {@value #TRAINING_STRIDE}th page, with its default
 * (fastCover) and its legacy algorithm. Every page that is not one repeated 8-byte word is compressed alone with and
 * without each, at the same level, as the engine's frames are (magicless, no content size, no dictionary id).
 * Printed: the codec's ratio without a dictionary, with each one, and with the dictionary's own bytes counted once,
 * as the engine's effective ratio counts its dictionaries. A trained dictionary may come out smaller than asked;
 * its own size is printed.
 * <pre>
 *   ./tmem4j build
 *   java -cp cli/target/tmem4j-cli.jar scripts/DictionaryCeiling.java CORPUS [LEVEL]   # LEVEL: default 3
 * </pre>
 */
public final class DictionaryCeiling
{
    private static final int PAGE = 4096;
    private static final int[] DICTIONARY_KIB = {64, 128, 256, 512, 1024};
    /** One page in this many is a training sample: 5% of the corpus. */
    private static final int TRAINING_STRIDE = 20;

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
        System.out.printf(Locale.ROOT, "%-28s %10s %8s %22s %16s%n", "dictionary", "bytes", "ratio",
            "ratio, dictionary counted", "x zstd:" + level);
        for (final int kib : DICTIONARY_KIB)
        {
            report(kib + " KiB raw content", spreadPages(pages, kib * 1024 / PAGE), pages, level, plain);
            report(kib + " KiB ZDICT fastCover", trained(pages, kib * 1024, false), pages, level, plain);
            report(kib + " KiB ZDICT legacy", trained(pages, kib * 1024, true), pages, level, plain);
        }
    }

    private static void report(final String name, final byte[] dictionary, final byte[][] pages, final int level,
        final long plain)
    {
        final long original = (long)pages.length * PAGE;
        final long withDictionary;
        try (ZstdDictCompress prepared = new ZstdDictCompress(dictionary, level);
            ZstdCompressCtx context = new ZstdCompressCtx())
        {
            context.setLevel(level).setMagicless(true).setContentSize(false).setDictID(false);
            context.loadDict(prepared);
            withDictionary = compressedBytes(context, pages);
        }
        final long counted = withDictionary + dictionary.length;
        System.out.printf(Locale.ROOT, "%-28s %,10d %8.3f %22.3f %16.3f%n", name, dictionary.length,
            (double)original / withDictionary, (double)original / counted, (double)plain / counted);
    }

    /** A dictionary of at most {@code bytes} that ZDICT trains from every {@link #TRAINING_STRIDE}th page. */
    private static byte[] trained(final byte[][] pages, final int bytes, final boolean legacy)
    {
        final ZstdDictTrainer trainer = new ZstdDictTrainer((pages.length / TRAINING_STRIDE + 1) * PAGE, bytes);
        for (int i = 0; i < pages.length; i += TRAINING_STRIDE)
        {
            trainer.addSample(pages[i]);
        }
        return trainer.trainSamples(legacy);
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
