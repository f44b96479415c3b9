package org.tmem4j.cli.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.tmem4j.codec.Codec;

/**
 * Real pages to measure with: files read into one off-heap segment and cut into 4 KiB pages. By default the
 * running JDK's {@code lib/modules} (class files, the same data as the reference notes' codec table) and
 * {@code lib/server/libjvm.so} (machine code), so every machine has the same kind of corpus without a download.
 * <p>
 * With a cap below the pages available, pages are taken at an even stride across all files (page
 * {@code i * total / cap}), so a small corpus still samples every region of every file instead of only the first
 * megabytes (a module image starts with its index). A trailing partial page of a file is left out
 * (see {@link #trailingBytes()}). The pages are kept byte for byte, same-filled and zero pages included.
 * <p>
 * The segment belongs to a shared arena: any thread may read it; {@link #close()} frees it.
 */
public final class PageCorpus implements AutoCloseable
{
    /** Size of one page in bytes. */
    public static final int PAGE_SIZE = 4096;
    /** What {@link #named} reads as the {@link #defaultFiles()}: the running JDK's own files. */
    public static final String DEFAULT_NAME = "jvm";

    private final Arena arena;
    private final MemorySegment pages;
    private final int pageCount;
    private final List<Path> files;
    private final Map<Path, Integer> trailingBytes;

    private PageCorpus(final Arena arena, final MemorySegment pages, final int pageCount, final List<Path> files,
        final Map<Path, Integer> trailingBytes)
    {
        this.arena = arena;
        this.pages = pages;
        this.pageCount = pageCount;
        this.files = files;
        this.trailingBytes = trailingBytes;
    }

    /**
     * @return {@code $JAVA_HOME/lib/modules} and {@code $JAVA_HOME/lib/server/libjvm.so} of the running JVM, those
     *         that exist.
     */
    public static List<Path> defaultFiles()
    {
        final Path home = Path.of(System.getProperty("java.home"));
        final List<Path> files = new ArrayList<>();
        for (final Path file : List.of(home.resolve("lib/modules"), home.resolve("lib/server/libjvm.so")))
        {
            if (Files.isRegularFile(file))
            {
                files.add(file);
            }
        }
        return files;
    }

    /**
     * @param maxPages the most pages to keep, at least 1.
     * @return a corpus of the {@link #defaultFiles()}.
     */
    public static PageCorpus readDefault(final int maxPages)
    {
        return read(defaultFiles(), maxPages);
    }

    /**
     * The corpus a benchmark's {@code corpus} parameter names: {@value #DEFAULT_NAME} for the {@link #defaultFiles()},
     * anything else the path of one corpus file (such as {@code scripts/db-corpus.sh} writes).
     *
     * @param name     {@value #DEFAULT_NAME} or a file's path.
     * @param maxPages the most pages to keep, at least 1.
     * @return the corpus.
     * @throws IllegalArgumentException as {@link #read(List, int)} does.
     * @throws UncheckedIOException     if the file cannot be read.
     */
    public static PageCorpus named(final String name, final int maxPages)
    {
        return DEFAULT_NAME.equals(name) ? readDefault(maxPages) : read(List.of(Path.of(name)), maxPages);
    }

    /**
     * @param files    the files to cut into pages, in order.
     * @param maxPages the most pages to keep, at least 1; fewer when the files hold fewer whole pages.
     * @return the corpus.
     * @throws IllegalArgumentException if no file is given, {@code maxPages} is below 1, or the files hold no whole
     *                                  page.
     * @throws UncheckedIOException     if a file cannot be read.
     */
    public static PageCorpus read(final List<Path> files, final int maxPages)
    {
        Objects.requireNonNull(files, "files");
        if (files.isEmpty())
        {
            throw new IllegalArgumentException("no corpus files given");
        }
        if (maxPages < 1)
        {
            throw new IllegalArgumentException("maxPages must be at least 1, got " + maxPages);
        }
        final long[] firstPage = new long[files.size() + 1];
        final Map<Path, Integer> trailingBytes = new LinkedHashMap<>();
        for (int i = 0; i < files.size(); i++)
        {
            try
            {
                final long size = Files.size(files.get(i));
                firstPage[i + 1] = firstPage[i] + size / PAGE_SIZE;
                if (size % PAGE_SIZE != 0)
                {
                    trailingBytes.put(files.get(i), (int)(size % PAGE_SIZE));
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read corpus file " + files.get(i), ex);
            }
        }
        final long available = firstPage[files.size()];
        if (available == 0)
        {
            throw new IllegalArgumentException("corpus files hold no whole " + PAGE_SIZE + "-byte page: " + files);
        }
        final int count = (int)Math.min(available, maxPages);
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment pages = arena.allocate((long)count * PAGE_SIZE, PAGE_SIZE);
            readPages(files, firstPage, available, count, pages);
            return new PageCorpus(arena, pages, count, List.copyOf(files),
                Collections.unmodifiableMap(trailingBytes));
        }
        catch (final RuntimeException | Error ex)
        {
            arena.close();
            throw ex;
        }
    }

    private static void readPages(
        final List<Path> files, final long[] firstPage, final long available, final int count,
        final MemorySegment pages)
    {
        int page = 0;
        for (int file = 0; file < files.size() && page < count; file++)
        {
            if (sampled(page, available, count) >= firstPage[file + 1])
            {
                continue;
            }
            try (FileChannel channel = FileChannel.open(files.get(file), StandardOpenOption.READ))
            {
                for (long global = sampled(page, available, count); page < count && global < firstPage[file + 1];
                    global = sampled(++page, available, count))
                {
                    final ByteBuffer target = pages.asSlice((long)page * PAGE_SIZE, PAGE_SIZE).asByteBuffer();
                    long position = (global - firstPage[file]) * PAGE_SIZE;
                    while (target.hasRemaining())
                    {
                        final int read = channel.read(target, position);
                        if (read < 0)
                        {
                            throw new IOException("file shrank while being read");
                        }
                        position += read;
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read corpus file " + files.get(file), ex);
            }
        }
    }

    /** The page of all files that corpus page {@code page} is: an even stride over everything available. */
    private static long sampled(final int page, final long available, final int count)
    {
        return page * available / count;
    }

    /**
     * @return all pages, back to back: page {@code i} is at offset {@code i * PAGE_SIZE}.
     */
    public MemorySegment segment()
    {
        return pages;
    }

    /**
     * @return the number of pages.
     */
    public int pageCount()
    {
        return pageCount;
    }

    /**
     * @param page a page number, 0 to {@code pageCount() - 1}.
     * @return the offset of that page in {@link #segment()}.
     */
    public long offset(final int page)
    {
        Objects.checkIndex(page, pageCount);
        return (long)page * PAGE_SIZE;
    }

    /**
     * Compresses every page once, page {@code i} into {@code blocks} at offset {@code i * blockStride}.
     *
     * @param codec       the codec to compress with.
     * @param blocks      room for {@link #pageCount()} blocks of {@code blockStride} bytes.
     * @param blockStride each block's room: at least {@code codec.maxCompressedLength(PAGE_SIZE)}.
     * @return each page's compressed length, by page number.
     */
    public int[] compressEach(final Codec codec, final MemorySegment blocks, final int blockStride)
    {
        final int[] lengths = new int[pageCount];
        for (int page = 0; page < pageCount; page++)
        {
            lengths[page] = codec.compress(pages, (long)page * PAGE_SIZE, PAGE_SIZE, blocks, (long)page * blockStride,
                blockStride);
        }
        return lengths;
    }

    /**
     * @return the files the pages came from.
     */
    public List<Path> files()
    {
        return files;
    }

    /**
     * @return per file that does not end on a page boundary, the bytes after its last whole page: they are in no
     *         page of the corpus.
     */
    public Map<Path, Integer> trailingBytes()
    {
        return trailingBytes;
    }

    /** Frees the pages. */
    @Override
    public void close()
    {
        arena.close();
    }

    @Override
    public String toString()
    {
        return pageCount + " pages of " + files;
    }
}
