package org.tmem4j.frontend.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Pages;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.PagedFile;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;
import org.tmem4j.stats.CounterRegistry;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole stack on the real engine: frontswap keeps every page through poor compression, an exhausted budget and
 * unregistration; cleancache and the paged file hit; the provider builds the engine from the typed settings.
 */
class ZcacheBackendTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());

    @TempDir
    Path dir;

    private final BackendRegistry registry = new BackendRegistry();

    @AfterEach
    void tearDown()
    {
        registry.unregister();
    }

    @ParameterizedTest
    @ValueSource(strings = {"zbud", "zsmalloc"})
    void frontswapKeepsEveryPageThroughRefusalsBudgetAndUnregistration(final String allocator)
    {
        final String context = allocator + " -Dtmem4j.seed=" + SEED;
        final SplittableRandom random = new SplittableRandom(SEED);
        final FrontendsConfig config = FrontendsConfig.builder().allocator(allocator).budgetBytes(1 << 20).build();
        final int pages = 2000;
        try (Frontswap frontswap = Frontswap.create(registry, config); Arena arena = Arena.ofConfined())
        {
            final SwapArea area = frontswap.swapOn(dir.resolve(allocator + ".swap"), pages);
            final Backend backend = registry.register("zcache", config);
            final Zcache zcache = assertInstanceOf(ZcacheBackend.class, backend).zcache();
            assertEquals(allocator, zcache.allocatorName());
            final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
            final MemorySegment dst = arena.allocate(SwapArea.PAGE_SIZE);
            final long[] tags = new long[pages];
            final boolean[] noise = new boolean[pages];
            int inBackend = 0;
            for (int i = 0; i < pages; i++)
            {
                final int slot = area.allocateSlot();
                tags[slot] = random.nextLong() | 1;
                noise[slot] = random.nextInt(5) == 0;
                fill(page, tags[slot], noise[slot]);
                final boolean stored = area.store(slot, page);
                inBackend += stored ? 1 : 0;
                assertFalse(stored && noise[slot], context + ": an incompressible page is refused");
            }
            assertTrue(inBackend > 100 && inBackend < pages, context + ": the 1 MiB budget filled up, "
                + inBackend + " pages in the backend");
            assertEquals(inBackend, area.currPages());
            assertEquals(inBackend, zcache.stats().storedPages());
            verifyAll(area, tags, noise, dst, page, context);
            assertEquals(inBackend / 2, area.shrink(inBackend - inBackend / 2), context);
            verifyAll(area, tags, noise, dst, page, context + " after shrink");
            registry.unregister();
            assertEquals(0, area.currPages());
            verifyAll(area, tags, noise, dst, page, context + " after unregistration");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zbud", "zsmalloc"})
    void pagedFileHitsCleancacheThroughTheEngine(final String allocator) throws Exception
    {
        final byte[] data = new byte[40 * 4096 + 100];
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < data.length; i++)
        {
            data[i] = (byte)("tmem4j cleancache ".charAt(i % 18) + (random.nextInt(8) == 0 ? 1 : 0));
        }
        final Path path = Files.write(dir.resolve("file.bin"), data);
        final Cleancache cleancache = Cleancache.create(registry, FrontendsConfig.defaults());
        final CleancacheFs fs = cleancache.initFs();
        final CounterRegistry counters = new CounterRegistry();
        counters.register(cleancache.counters());
        registry.register("zcache", FrontendsConfig.builder().allocator(allocator).checksum(true).build());
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment dst = arena.allocate(4096);
            for (int round = 0; round < 3; round++)
            {
                try (PagedFile file = PagedFile.open(path, fs, 4, false))
                {
                    for (long position = 0; position < data.length; position += 4096)
                    {
                        final int n = file.read(position, dst);
                        final byte[] expected = java.util.Arrays.copyOfRange(data, (int)position,
                            (int)Math.min(data.length, position + 4096));
                        assertArrayEquals(expected, dst.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                    }
                    if (round > 0)
                    {
                        assertEquals(0, file.stats().diskReads(), "round " + round + ": " + file.stats());
                        assertEquals(41, file.stats().cleancacheHits());
                    }
                }
            }
        }
        assertEquals(1, counters.sources().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"zbud", "zsmalloc"})
    void theProviderBuildsTheEngineFromTheSettings(final String allocator)
    {
        final Backend backend = registry.register("zcache", FrontendsConfig.builder().allocator(allocator)
            .codec("zstd").codecLevel(5).budgetBytes(8 << 20).buckets(64).build());
        final Zcache zcache = ((ZcacheBackend)backend).zcache();
        assertEquals("zstd", zcache.codec().name());
        assertEquals(5, zcache.codec().level());
        assertEquals(8 << 20, zcache.budgetBytes());
        registry.unregister();
        assertThrows(IllegalStateException.class, zcache::stats, "a provider-made engine is closed on unregister");
    }

    @ParameterizedTest
    @ValueSource(ints = {8 << 10, 128 << 10})
    void aDictionaryPoolMakesDictionariesOfTheConfiguredSize(final int dictionaryBytes)
    {
        final Backend backend = registry.register("zcache", FrontendsConfig.builder().codec("zstd+dict")
            .dictionaryBytes(dictionaryBytes).budgetBytes(64 << 20).build());
        final Zcache zcache = ((ZcacheBackend)backend).zcache();
        final int pool = zcache.createPool(PoolKind.PERSISTENT, SwapArea.PAGE_SIZE);
        final int pages = 1500;
        try (Arena arena = Arena.ofConfined())
        {
            // compressible pages that share most of their bytes, so any dictionary of them pays for itself
            final MemorySegment template = arena.allocate(SwapArea.PAGE_SIZE);
            Pages.fill(template, SEED);
            final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
            for (int i = 0; i < pages; i++)
            {
                sharedPage(page, template, i);
                assertEquals(Zcache.STORED, zcache.put(pool, 1, 0, 0, i, page));
            }
            final ZcacheStats stats = zcache.stats();
            assertTrue(stats.dictionaries() >= 1, "a dictionary once the sample filled: " + stats);
            assertTrue(stats.dictionaryBytes() > 0 && stats.dictionaryBytes() <= stats.dictionaries() * dictionaryBytes,
                "each dictionary at most " + dictionaryBytes + " bytes: " + stats);
            assertTrue(stats.dictionaryBytes() > (stats.dictionaries() - 1L) * dictionaryBytes,
                "the sample had the pages to fill the newest one: " + stats);
            final MemorySegment expected = arena.allocate(SwapArea.PAGE_SIZE);
            for (int i = 0; i < pages; i++)
            {
                sharedPage(expected, template, i);
                assertTrue(zcache.get(pool, 1, 0, 0, i, page));
                assertEquals(-1, expected.mismatch(page), "page " + i);
            }
        }
    }

    private static void sharedPage(final MemorySegment page, final MemorySegment template, final int index)
    {
        MemorySegment.copy(template, 0, page, 0, SwapArea.PAGE_SIZE);
        final SplittableRandom random = new SplittableRandom(index);
        for (long i = 0; i < 256; i += 8)
        {
            page.set(ValueLayout.JAVA_LONG_UNALIGNED, (index * 64L + i) % (SwapArea.PAGE_SIZE - 8), random.nextLong());
        }
    }

    private static void fill(final MemorySegment page, final long tag, final boolean noise)
    {
        if (noise)
        {
            final SplittableRandom random = new SplittableRandom(tag);
            for (long i = 0; i < page.byteSize(); i += 8)
            {
                page.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
            }
        }
        else
        {
            Pages.fill(page, tag);
        }
    }

    private static void verifyAll(final SwapArea area, final long[] tags, final boolean[] noise,
        final MemorySegment dst, final MemorySegment expected, final String context)
    {
        for (int slot = 0; slot < tags.length; slot++)
        {
            assertTrue(area.load(slot, dst), context + ": slot " + slot);
            fill(expected, tags[slot], noise[slot]);
            assertEquals(-1L, dst.mismatch(expected), context + ": slot " + slot + " differs");
        }
    }
}
