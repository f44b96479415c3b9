package org.tmem4j.cli.study;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import org.tmem4j.cli.corpus.PageCorpus;
import org.tmem4j.codec.CodecSpec;

/**
 * What a {@link Study} runs: the pages, every allocator × codec configuration, and how.
 *
 * @param corpus     the pages to store; the caller owns it and closes it after the study.
 * @param allocators the allocators' names, in order, at least one.
 * @param codecs     the codecs, in order, at least one.
 * @param rawIncompressible whether the engines keep pages compressing above 7/8 of a page uncompressed while
 *                   their budget has room ({@code Zcache.Builder#rawIncompressible}) rather than refusing them.
 * @param repeat     passes per configuration, each into a fresh engine, at least 1; speeds are the fastest pass's.
 * @param workDir    where frontswap's backing files go; each is deleted after its pass.
 * @param progress   where progress bars go, or null for none.
 * @param backend    what the pages are stored through.
 * @param recompress the recompression pass after the fill ({@code --recompress}), or null for none.
 */
public record StudyOptions(
    PageCorpus corpus,
    List<String> allocators,
    List<CodecSpec> codecs,
    boolean rawIncompressible,
    int repeat,
    Path workDir,
    PrintStream progress,
    StudyBackend backend,
    RecompressPass recompress)
{
    /**
     * @throws IllegalArgumentException naming the parameter, if one is missing, empty or out of range.
     */
    public StudyOptions
    {
        if (corpus == null || workDir == null || backend == null)
        {
            throw new IllegalArgumentException((corpus == null ? "corpus" : workDir == null ? "workDir" : "backend")
                + " must not be null");
        }
        if (allocators == null || allocators.isEmpty() || codecs == null || codecs.isEmpty())
        {
            throw new IllegalArgumentException("allocators and codecs must each name at least one, got "
                + allocators + " and " + codecs);
        }
        if (repeat < 1)
        {
            throw new IllegalArgumentException("repeat must be at least 1, got " + repeat);
        }
        allocators = List.copyOf(allocators);
        codecs = List.copyOf(codecs);
    }
}
