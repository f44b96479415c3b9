package org.tmem4j.zbud;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.AllocatorStats;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * zbud's density on real compressed pages: the first {@code tmem4j.density.pages} (default 16,384, i.e. 64 MiB)
 * pages of the running JDK's {@code lib/modules}, each compressed with LZ4's native fast compressor and stored in
 * file order, against the best two-per-page pairing of the same sizes ({@link PairingBound}). Prints the figures;
 * every page is decompressed back from the pool and compared with the original.
 */
final class ZbudDensityTest
{
    private static final int PAGES = Integer.getInteger("tmem4j.density.pages", 16_384);
    /**
     * Floors under what zbud reaches (0.996 of the best pairing of its chunk counts, 0.982 of the best pairing of
     * the exact sizes) that a broken best fit misses.
     */
    private static final double CHUNK_FLOOR = 0.99;
    private static final double BYTE_FLOOR = 0.97;
    /** Pages that sharding may add while no shard looks at another's holes: a few holes per shard, not a share. */
    private static final double SHARDING_COST_CEILING = 0.01;

    @Test
    void densityOnLz4CompressedJdkModulesIsCloseToTheBestPairing() throws IOException
    {
        final Path modules = Path.of(System.getProperty("java.home"), "lib", "modules");
        assertTrue(Files.size(modules) >= (long)PAGES * PageMemory.PAGE_SIZE, modules + " is smaller than " + PAGES +
            " pages");
        final LZ4Compressor compressor = LZ4Factory.nativeInstance().fastCompressor();
        final LZ4SafeDecompressor decompressor = LZ4Factory.nativeInstance().safeDecompressor();
        final byte[] page = new byte[PageMemory.PAGE_SIZE];
        final byte[] compressed = new byte[compressor.maxCompressedLength(PageMemory.PAGE_SIZE)];
        final byte[] back = new byte[PageMemory.PAGE_SIZE];
        final long[] handles = new long[PAGES];
        final int[] sizes = new int[PAGES];
        int stored = 0;
        try (RandomAccessFile file = new RandomAccessFile(modules.toFile(), "r");
            PageMemory memory = PageMemory.withBudget((long)PAGES * PageMemory.PAGE_SIZE);
            ZbudAllocator allocator = new ZbudAllocator(memory))
        {
            for (int i = 0; i < PAGES; i++)
            {
                file.readFully(page);
                final int length = compressor.compress(page, 0, page.length, compressed, 0, compressed.length);
                if (length > allocator.maxStoredSize())
                {
                    continue;
                }
                final long handle = allocator.allocate(length);
                assertTrue(handle > 0, "page " + i + ": allocate(" + length + ") = " + handle);
                allocator.write(handle, MemorySegment.ofArray(compressed), 0);
                handles[stored] = handle;
                sizes[stored++] = length;
            }
            final AllocatorStats full = allocator.stats();
            file.seek(0);
            int next = 0;
            for (int i = 0; i < PAGES; i++)
            {
                file.readFully(page);
                final int length = compressor.compress(page, 0, page.length, compressed, 0, compressed.length);
                if (length > allocator.maxStoredSize())
                {
                    continue;
                }
                final byte[] copy = new byte[length];
                allocator.read(handles[next++], MemorySegment.ofArray(copy), 0);
                assertEquals(PageMemory.PAGE_SIZE, decompressor.decompress(copy, 0, length, back, 0, back.length));
                assertArrayEquals(page, back, "page " + i + " does not come back");
            }
            final int[] live = Arrays.copyOf(sizes, stored);
            final long boundPages = PairingBound.minPages(live, PageMemory.PAGE_SIZE, 1);
            final long chunkBoundPages = PairingBound.minPages(live, PageMemory.PAGE_SIZE, PageTable.CHUNK_SIZE);
            final double bound = PairingBound.density(live, 1);
            final double chunkBound = PairingBound.density(live, PageTable.CHUNK_SIZE);
            final double ofBound = full.density() / bound;
            final double ofChunkBound = full.density() / chunkBound;
            System.out.printf("zbud density on %s: %d pages read, %d stored (%d above %d bytes left out), LZ4 ratio " +
                    "of those stored %.3f%n  zbud: %d pool pages, density %.4f (%d stored bytes / %d pool bytes)%n" +
                    "  best pairing (exact bytes): %d pages, density %.4f -> zbud reaches %.4f of it%n" +
                    "  best pairing (64-byte chunks): %d pages, density %.4f -> zbud reaches %.4f of it%n",
                modules, PAGES, stored, PAGES - stored, allocator.maxStoredSize(),
                (double)stored * PageMemory.PAGE_SIZE / full.storedBytes(), full.pagesUsed(), full.density(),
                full.storedBytes(), full.poolBytes(), boundPages, bound, ofBound, chunkBoundPages, chunkBound,
                ofChunkBound);
            assertTrue(full.pagesUsed() >= chunkBoundPages, "zbud beat the pairing bound: the bound is wrong");
            assertTrue(ofChunkBound >= CHUNK_FLOOR,
                "zbud reaches only " + ofChunkBound + " of the chunk pairing bound, floor " + CHUNK_FLOOR);
            assertTrue(ofBound >= BYTE_FLOOR,
                "zbud reaches only " + ofBound + " of the pairing bound, floor " + BYTE_FLOOR);
            assertEquals(stored, full.objects());
            shardingCost(live, full.pagesUsed());
        }
    }

    /**
     * The density cost of sharding while memory is plentiful, the worst case: each shard pairs only its own
     * objects (the pages of the other shards are searched only once the budget is spent). N shards fed the pages
     * in turn, as N CPUs storing at once would, are N one-shard allocators each storing every N-th size.
     */
    private static void shardingCost(final int[] sizes, final long unshardedPages)
    {
        final MemorySegment bytes = MemorySegment.ofArray(new byte[PageMemory.PAGE_SIZE]);
        for (final int shards : new int[]{2, 4, 8})
        {
            long pages = 0;
            for (int shard = 0; shard < shards; shard++)
            {
                try (PageMemory memory = PageMemory.withBudget((long)sizes.length * PageMemory.PAGE_SIZE);
                    ZbudAllocator allocator = new ZbudAllocator(memory, 1))
                {
                    for (int i = shard; i < sizes.length; i += shards)
                    {
                        allocator.write(allocator.allocate(sizes[i]), bytes, 0);
                    }
                    pages += allocator.stats().pagesUsed();
                }
            }
            final double cost = (double)pages / unshardedPages - 1;
            System.out.printf("  %d shards, each pairing its own objects: %d pool pages, %+.2f%% against one%n",
                shards, pages, 100 * cost);
            assertTrue(cost < SHARDING_COST_CEILING, shards + " shards cost " + cost + " of the pages");
        }
    }
}
