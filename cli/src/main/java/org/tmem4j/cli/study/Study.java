package org.tmem4j.cli.study;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tmem4j.cli.corpus.PageCorpus;
import org.tmem4j.codec.CodecSpec;

/**
 * The study's run loop: for each codec and allocator, a warm-up, then {@link StudyOptions#repeat()} passes each of
 * the raw codec alone and of a fresh engine behind frontswap on the same pages, keeping the fastest of each and each
 * pass's engine speed as a share of the codec's in the same pass ({@link PairedShares}). It
 * prints nothing but progress bars; {@link StudyTable}, {@link StudyJson} and {@link StudyCharts} present what it
 * returns.
 */
public final class Study
{
    private Study()
    {
    }

    /**
     * @param options what to run.
     * @return every configuration's figures, with zsmalloc's class occupancy.
     */
    public static StudyResults run(final StudyOptions options)
    {
        final StudyContext context = StudyContext.of(options, Instant.now());
        final PageCorpus corpus = options.corpus();
        final int count = corpus.pageCount();
        final List<StudyResult> results = new ArrayList<>();
        final Map<String, List<SizeClassOccupancy>> occupancy = new LinkedHashMap<>();
        final Map<String, String> classTable = new LinkedHashMap<>();
        try (Arena arena = Arena.ofShared(); StudyBackend.Session backend = options.backend().open())
        {
            final MemorySegment loaded = arena.allocate((long)count * PageCorpus.PAGE_SIZE);
            for (final CodecSpec codec : options.codecs())
            {
                for (final String allocator : options.allocators())
                {
                    FrontswapRun.warmUp(backend, allocator, codec, options.rawIncompressible(), corpus.segment(),
                        count, loaded, options.workDir(), options.recompress());
                    RawCodecRun codecAlone = null;
                    FrontswapRun run = null;
                    final double[] stores = new double[options.repeat()];
                    final double[] compresses = new double[options.repeat()];
                    final double[] loads = new double[options.repeat()];
                    final double[] decompresses = new double[options.repeat()];
                    for (int pass = 0; pass < options.repeat(); pass++)
                    {
                        // the codec alone right before the engine, so that both see the machine in the same state
                        final RawCodecRun codecPass = RawCodecRun.measure(codec, corpus.segment(), count,
                            PageCorpus.PAGE_SIZE, loaded, pass == 0, options.progress());
                        final FrontswapRun enginePass = FrontswapRun.measure(backend, allocator, codec,
                            options.rawIncompressible(), corpus.segment(), count, loaded, options.workDir(),
                            options.progress(), options.recompress());
                        stores[pass] = enginePass.storeMbPerS();
                        compresses[pass] = codecPass.compressMbPerS();
                        loads[pass] = enginePass.loadMbPerS();
                        decompresses[pass] = codecPass.decompressMbPerS();
                        codecAlone = codecAlone == null ? codecPass : codecAlone.fasterOf(codecPass);
                        run = run == null ? enginePass : run.fasterOf(enginePass);
                    }
                    final String label = StudyResult.codecLabel(codec);
                    results.add(new StudyResult(options.backend().name(), allocator, label, count,
                        run.pagesInFile(), run.pagesRaw(),
                        run.storedPages() * PageCorpus.PAGE_SIZE, run.compressedBytes(), run.poolBytes(),
                        run.metadataBytes(), run.storeMbPerS(), run.loadMbPerS(), codecAlone.compressMbPerS(),
                        codecAlone.decompressMbPerS(), codecAlone.shuffledDecompressMbPerS(), run.churnDensity(),
                        run.compactedDensity(),
                        run.verified() && codecAlone.verified(), run.remote().pages(), run.remote().bytes(),
                        run.remote().usedMemoryBytes(), run.dictionaryBytes(), run.recompressedPages(),
                        run.recompressedCostBytes() == 0 ? 0.0 :
                            (double)run.storedPages() * PageCorpus.PAGE_SIZE / run.recompressedCostBytes(),
                        PairedShares.of(stores, compresses), PairedShares.of(loads, decompresses)));
                    if (!run.classes().isEmpty())
                    {
                        occupancy.put(label, run.classes());
                    }
                    if (run.classTable() != null)
                    {
                        classTable.put(label, run.classTable());
                    }
                }
            }
        }
        return new StudyResults(context, results, occupancy, classTable);
    }
}
