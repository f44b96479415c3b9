package org.tmem4j.cli.study;

import org.tmem4j.codec.CodecSpec;

/**
 * What the study measured for one allocator × codec configuration: the fields of one {@code --json} line.
 *
 * @param backend             what the pages were stored through: {@code zcache} or {@code ramster}.
 * @param allocator           the allocator's name, e.g. {@code zsmalloc}.
 * @param codec               the codec as given, e.g. {@code lz4} or {@code zstd:1}.
 * @param pages               pages stored through frontswap.
 * @param pagesInFile         of those, pages the engine refused (its admission policy), which frontswap wrote to
 *                            the backing file instead: they are in no figure of the engine's memory.
 * @param pagesRaw            of those, pages the engine kept uncompressed ({@code --raw-incompressible}); the
 *                            rest of the pages in the engine were compressed (or stored as one repeated word).
 * @param originalBytes       bytes the pages the engine holds had before compression, so that every ratio and
 *                            density is of the same pages.
 * @param compressedBytes     bytes the stored objects take, after the fill.
 * @param poolBytes           bytes of allocator pages held, after the fill.
 * @param metadataBytes       the engine's own bytes (index, handles, bookkeeping) on and off the heap, after the fill.
 * @param storeMbPerS         megabytes (10^6 B) of pages per second stored through the frontswap frontend, all
 *                            {@code pages} counted.
 * @param loadMbPerS          megabytes of pages per second loaded back through the frontend, all counted.
 * @param codecCompressMbPerS the raw codec alone compressing the same pages, MB/s of original bytes.
 * @param codecDecompressMbPerS the raw codec alone decompressing them, MB/s of original bytes, its blocks read back
 *                            to back in the order it wrote them.
 * @param codecShuffledDecompressMbPerS the raw codec decompressing the same blocks in the same order from shuffled
 *                            places, as a store's memory holds them (see {@link RawCodecRun}).
 * @param churnDensity        {@link #density()} after freeing every other page.
 * @param compactedDensity    {@link #density()} after freeing every other page and compacting; NaN for a running
 *                            host daemon's store, which the study does not compact.
 * @param verified            true only if every loaded page matched the stored one byte for byte.
 * @param remotePages         pages ramster held in Redis after the fill (0 for zcache).
 * @param remoteBytes         bytes ramster wrote to Redis for them (0 for zcache).
 * @param redisUsedMemoryBytes Redis's {@code used_memory} after the fill (0 for zcache).
 * @param dictionaryBytes     off-heap bytes of the zstd dictionaries the engine held after the fill ({@code +dict}
 *                            codecs; 0 otherwise), counted in {@link #effectiveRatio()}.
 * @param recompressedPages   pages the recompression pass ({@code --recompress}) stored again with its codec (0
 *                            without one).
 * @param recompressedEffectiveRatio {@link #effectiveRatio()} after the recompression pass (the same as before
 *                            without one).
 * @param storeShares         frontswap's store speed as a share of the raw codec's compress speed, pass by pass.
 * @param loadShares          frontswap's load speed as a share of the raw codec's decompress speed (its blocks back
 *                            to back), pass by pass.
 */
public record StudyResult(
    String backend,
    String allocator,
    String codec,
    long pages,
    long pagesInFile,
    long pagesRaw,
    long originalBytes,
    long compressedBytes,
    long poolBytes,
    long metadataBytes,
    double storeMbPerS,
    double loadMbPerS,
    double codecCompressMbPerS,
    double codecDecompressMbPerS,
    double codecShuffledDecompressMbPerS,
    double churnDensity,
    double compactedDensity,
    boolean verified,
    long remotePages,
    long remoteBytes,
    long redisUsedMemoryBytes,
    long dictionaryBytes,
    long recompressedPages,
    double recompressedEffectiveRatio,
    PairedShares storeShares,
    PairedShares loadShares)
{
    /**
     * @return compressed bytes / pool bytes after the fill: how tightly the allocator packs (0 with an empty pool).
     */
    public double density()
    {
        return density(compressedBytes, poolBytes);
    }

    /**
     * @return original bytes / (pool bytes + metadata bytes + dictionary bytes): how much memory a page really costs,
     *         all told.
     */
    public double effectiveRatio()
    {
        final long cost = poolBytes + metadataBytes + dictionaryBytes;
        return cost == 0 ? 0.0 : (double)originalBytes / cost;
    }

    /**
     * @return original bytes / compressed bytes: what the codec alone achieved on these pages.
     */
    public double compressionRatio()
    {
        return compressedBytes == 0 ? 0.0 : (double)originalBytes / compressedBytes;
    }

    /**
     * @return frontswap's store speed as a share of the raw codec's compress speed on the same pages: the median of
     *         the passes' shares ({@link PairedShares}).
     */
    public double storeShareOfCodec()
    {
        return storeShares.median();
    }

    /**
     * @return frontswap's load speed as a share of the raw codec's decompress speed on the same pages: the median of
     *         the passes' shares ({@link PairedShares}).
     */
    public double loadShareOfCodec()
    {
        return loadShares.median();
    }

    /**
     * @return pages the engine holds.
     */
    public long pagesInEngine()
    {
        return pages - pagesInFile;
    }

    /**
     * @param codec a codec spec.
     * @return how tables, charts and JSON name it: {@code lz4} at its default acceleration, else {@code name:level}.
     */
    public static String codecLabel(final CodecSpec codec)
    {
        return codec.equals(CodecSpec.lz4()) ? CodecSpec.LZ4 : codec.toString();
    }

    /**
     * @param compressedBytes bytes of stored objects.
     * @param poolBytes       bytes of pool pages holding them.
     * @return the packing density, 0 for an empty pool.
     */
    public static double density(final long compressedBytes, final long poolBytes)
    {
        return poolBytes == 0 ? 0.0 : (double)compressedBytes / poolBytes;
    }
}
