package org.tmem4j.cli.study;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.tmem4j.codec.CodecSpec;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zsmalloc.ClassStats;
import org.tmem4j.zsmalloc.Zsmalloc;
import org.tmem4j.zsmalloc.ZsmallocStats;

/**
 * One configuration of the study, the way an application would run it: a fresh zcache engine with the allocator
 * and codec under test, registered as the backend of frontswap, with a swap area (a real backing file) of one slot
 * per page. Every page is stored into its slot, every slot loaded back into its own place of an output area, and
 * the output checked against the pages byte for byte; then every other slot is invalidated, the engine measured,
 * compacted and measured again.
 *
 * @param pagesInFile      pages the engine refused, which frontswap wrote to the backing file instead.
 * @param pagesRaw         pages the engine kept uncompressed (with {@code rawIncompressible}).
 * @param storedPages      pages the engine holds after the fill.
 * @param compressedBytes  bytes of stored objects after the fill.
 * @param poolBytes        bytes of allocator pages after the fill.
 * @param metadataBytes    the engine's own bytes after the fill.
 * @param storeMbPerS      10^6 original bytes stored per second.
 * @param loadMbPerS       10^6 original bytes loaded per second.
 * @param churnDensity     density after invalidating every other page.
 * @param compactedDensity density after that and compaction; NaN for a running host daemon, which a client does
 *                         not compact.
 * @param verified         whether every page loaded back as stored.
 * @param classes          zsmalloc's size classes after the fill (empty for other allocators).
 * @param classTable       zsmalloc's class table after the fill as text, or null for other allocators.
 * @param remote           what ramster held in Redis after the fill (zeros for zcache).
 * @param dictionaryBytes  bytes of the engine's zstd dictionaries after the fill.
 * @param recompressedPages pages the recompression pass stored again (0 without one).
 * @param recompressedCostBytes pool, metadata and dictionary bytes after the recompression pass (after the fill
 *                         without one).
 */
public record FrontswapRun(long pagesInFile, long pagesRaw, long storedPages, long compressedBytes, long poolBytes, long metadataBytes,
    double storeMbPerS, double loadMbPerS, double churnDensity, double compactedDensity, boolean verified,
    List<SizeClassOccupancy> classes, String classTable, StudyBackend.RemoteFigures remote, long dictionaryBytes,
    long recompressedPages, long recompressedCostBytes)
{
    /** Pages {@link #warmUp} stores and loads in each round, spread over the corpus. */
    private static final int WARM_UP_PAGES = 4096;
    /** Rounds of {@link #warmUp}: 32,768 calls of each path, twice C2's compile threshold (15,000). */
    private static final int WARM_UP_ROUNDS = 8;

    /**
     * @param backend   makes the backend under study.
     * @param allocator the allocator's name.
     * @param codec     the codec.
     * @param raw       whether the engine keeps incompressible pages uncompressed.
     * @param pages     the pages, {@code count} × {@link PageMemory#PAGE_SIZE} bytes.
     * @param count     how many pages.
     * @param loaded    {@code count} pages of pre-touched output, overwritten.
     * @param workDir   where the backing file goes; it is deleted afterwards.
     * @param progress  where progress bars go, or null.
     * @param recompress the recompression pass after the fill, or null for none.
     * @return the measurements.
     */
    static FrontswapRun measure(final StudyBackend.Session backend, final String allocator, final CodecSpec codec,
        final boolean raw, final MemorySegment pages, final int count, final MemorySegment loaded,
        final Path workDir, final PrintStream progress, final RecompressPass recompress)
    {
        return run(backend, allocator, codec, raw, pages, count, loaded, workDir, progress, true, recompress);
    }

    /**
     * Stores and loads pages spread over the whole corpus through throwaway engines, until the measured loops run
     * compiled code as a long-running application's would: every kind of page the corpus holds (a database file's
     * index pages come after its heap pages) and so every size class and path it takes, often enough for the JIT's
     * last tier to have compiled them before the clock starts.
     *
     * @param backend   makes the backend under study.
     * @param allocator the allocator's name.
     * @param codec     the codec.
     * @param raw       whether the engine keeps incompressible pages uncompressed.
     * @param pages     the pages.
     * @param count     how many pages there are.
     * @param loaded    {@code count} pages of output, overwritten.
     * @param workDir   where the backing files go.
     * @param recompress the recompression pass after the fill, or null for none.
     */
    static void warmUp(final StudyBackend.Session backend, final String allocator, final CodecSpec codec,
        final boolean raw,
        final MemorySegment pages, final int count, final MemorySegment loaded, final Path workDir,
        final RecompressPass recompress)
    {
        final int pageSize = PageMemory.PAGE_SIZE;
        final int spread = Math.min(count, WARM_UP_PAGES);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment sample = arena.allocate((long)spread * pageSize);
            for (int i = 0; i < spread; i++)
            {
                MemorySegment.copy(pages, (long)i * count / spread * pageSize, sample, (long)i * pageSize, pageSize);
            }
            for (int round = 0; round < WARM_UP_ROUNDS; round++)
            {
                run(backend, allocator, codec, raw, sample, spread, loaded, workDir, null, false, recompress);
            }
        }
    }

    /**
     * @param other another measurement of the same configuration on the same pages.
     * @return the faster speeds of the two (the passes least disturbed by the rest of the machine), verified only if
     * both were, and the other's densities and tables (the allocators are deterministic: they are the same).
     */
    public FrontswapRun fasterOf(final FrontswapRun other)
    {
        return new FrontswapRun(other.pagesInFile, other.pagesRaw, other.storedPages, other.compressedBytes, other.poolBytes,
            other.metadataBytes, Math.max(storeMbPerS, other.storeMbPerS), Math.max(loadMbPerS, other.loadMbPerS),
            other.churnDensity, other.compactedDensity, verified && other.verified, other.classes, other.classTable,
            other.remote, other.dictionaryBytes, other.recompressedPages, other.recompressedCostBytes);
    }

    private static FrontswapRun run(final StudyBackend.Session session, final String allocator,
        final CodecSpec codec, final boolean raw, final MemorySegment pages, final int count,
        final MemorySegment loaded, final Path workDir, final PrintStream progress, final boolean measured,
        final RecompressPass recompress)
    {
        final int pageSize = PageMemory.PAGE_SIZE;
        final Path swapFile = swapFile(workDir);
        final StudyStore store = session.newStore(allocator, codec, raw, budget(count), recompress);
        final Zcache zcache = store.engine();
        final BackendRegistry registry = new BackendRegistry();
        try (Frontswap frontswap = Frontswap.create(registry, FrontendsConfig.defaults()))
        {
            final SwapArea area = frontswap.swapOn(swapFile, count);
            registry.register(store.backend());
            final int[] slots = new int[count];
            for (int i = 0; i < count; i++)
            {
                slots[i] = area.allocateSlot();
            }

            // the pages' and the outputs' slices are made before the clock starts: the timed loops are the stack's
            // stores and loads alone, as the raw codec's loops are the codec's calls alone
            final MemorySegment[] in = slices(pages, count, pageSize);
            final MemorySegment[] out = slices(loaded, count, pageSize);
            final String name = allocator + "/" + StudyResult.codecLabel(codec);
            final TimedLoop stores = TimedLoop.run("store " + name, count, progress,
                i -> area.store(slots[i], in[i]));
            final StudyStore.Figures filled = store.figures();
            final StudyBackend.RemoteFigures remote = store.remote();
            final List<SizeClassOccupancy> classes = new ArrayList<>();
            String classTable = null;
            if (measured && zcache != null && zcache.allocator() instanceof Zsmalloc zsmalloc)
            {
                final ZsmallocStats table = zsmalloc.classStats();
                classTable = table.table();
                for (final ClassStats row : table.classes())
                {
                    classes.add(new SizeClassOccupancy(row.size(), row.objUsed(),
                        row.chunksUsed() * row.chunkSize() - row.storedBytes()));
                }
            }

            // a load that fills nothing must not pass for one that filled the right bytes
            loaded.asSlice(0, (long)count * pageSize).fill((byte)0x5A);
            final TimedLoop loads = TimedLoop.run("load " + name, count, progress,
                i -> area.load(slots[i], out[i]));
            final long bytes = (long)count * pageSize;
            boolean verified =
                loads.failures() == 0 && pages.asSlice(0, bytes).mismatch(loaded.asSlice(0, bytes)) == -1;
            long recompressed = 0;
            long recompressedCost = filled.costBytes();
            if (recompress != null && zcache != null)
            {
                recompressed = zcache.recompress();
                // the old forms' holes are what compaction gives back, as the allocator's own policy would
                zcache.compact();
                recompressedCost = store.figures().costBytes();
                // every page again, from its recompressed form
                loaded.asSlice(0, bytes).fill((byte)0x5A);
                final TimedLoop reloads = TimedLoop.run("load " + name + " recompressed", count, progress,
                    i -> area.load(slots[i], loaded.asSlice((long)i * pageSize, pageSize)));
                verified &= reloads.failures() == 0 &&
                    pages.asSlice(0, bytes).mismatch(loaded.asSlice(0, bytes)) == -1;
            }

            for (int i = 1; i < count; i += 2)
            {
                area.invalidatePage(slots[i]);
            }
            final StudyStore.Figures churned = store.figures();
            // a running daemon's store is compacted by the daemon alone, never on a client's word
            final double compactedDensity;
            if (zcache == null)
            {
                compactedDensity = Double.NaN;
            }
            else
            {
                zcache.compact();
                final StudyStore.Figures compacted = store.figures();
                compactedDensity = StudyResult.density(compacted.compressedBytes(), compacted.poolBytes());
            }
            // nothing to keep: dropping the area first spares unregistration writing every page back to the file
            area.invalidateArea();
            registry.unregister();
            return new FrontswapRun(stores.failures(), filled.putsRaw(), filled.storedPages(),
                filled.compressedBytes(), filled.poolBytes(), filled.metadataBytes(),
                RawCodecRun.mbPerS(bytes, stores.nanos()), RawCodecRun.mbPerS(bytes, loads.nanos()),
                StudyResult.density(churned.compressedBytes(), churned.poolBytes()), compactedDensity, verified,
                List.copyOf(classes), classTable, remote, filled.dictionaryBytes(), recompressed, recompressedCost);
        }
        finally
        {
            store.close();
            delete(swapFile);
        }
    }

    /**
     * @return {@code count} slices of {@code pageSize} bytes, one per page of {@code memory}.
     */
    private static MemorySegment[] slices(final MemorySegment memory, final int count, final int pageSize)
    {
        final MemorySegment[] slices = new MemorySegment[count];
        for (int i = 0; i < count; i++)
        {
            slices[i] = memory.asSlice((long)i * pageSize, pageSize);
        }
        return slices;
    }

    /**
     * Room for every page stored whole, however badly it compresses, plus the allocators' partly filled pages:
     * the study measures packing, so the budget must never be what refuses a page.
     */
    private static long budget(final int count)
    {
        return (long)count * PageMemory.PAGE_SIZE * 2 + (64L << 20);
    }

    private static Path swapFile(final Path workDir)
    {
        try
        {
            Files.createDirectories(workDir);
            return Files.createTempFile(workDir, "tmem4j-study-", ".swap");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the frontswap backing file in " + workDir, ex);
        }
    }

    private static void delete(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete the frontswap backing file " + file, ex);
        }
    }
}
