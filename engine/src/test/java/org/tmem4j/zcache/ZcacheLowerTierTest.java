package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * zcache with a lower tier against a model: the coldest pages of both kinds go down compressed when the budget is
 * full (only once the tier took them) and come back byte for byte; an overwritten or flushed page never comes back from below; a refusing
 * tier leaves zcache as it is without one; an unreachable tier is a miss for ephemeral pages and an error for
 * persistent ones; once full, puts go down until usage falls under the accept threshold.
 */
class ZcacheLowerTierTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int OPS = Integer.getInteger("tmem4j.ops", 1_000_000);
    private static final long BUDGET = 512L << 10;

    private static Zcache zcache(final MapLowerTier tier, final int acceptThresholdPercent)
    {
        return zcache(tier, acceptThresholdPercent, "lz4", null);
    }

    private static Zcache zcache(final MapLowerTier tier, final int acceptThresholdPercent, final String codec,
        final String recompress)
    {
        return Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(BUDGET).compressorSlots(2)
            .codec(codec).recompress(recompress).recompressIdleMs(0).recompressIntervalMs(2)
            .recompressMinSavedBytes(1).dictionarySampleBytes(64 << 10).checksum(true).lowerTier(tier)
            .acceptThresholdPercent(acceptThresholdPercent).build();
    }

    private record Key(int pool, long oid, int index)
    {
    }

    /** A page's id and the tier refusals counted when it was put (a later refusal may have dropped it). */
    private record Stored(long id, long refusalsAtPut)
    {
    }

    /**
     * Puts compressible pages 0, 1, ... of object (1, 1, 1) until one goes to the tier.
     *
     * @return how many were put (the last one is below).
     */
    private static int putUntilOneGoesBelow(final Zcache zcache, final MapLowerTier tier, final int pool,
        final MemorySegment page, final long seed)
    {
        int index = 0;
        while (tier.stores.get() == 0)
        {
            PageContent.fill(page, 4096, seed, 3 + 10L * index);
            assertEquals(Zcache.STORED, zcache.put(pool, 1, 1, 1, index++, page));
        }
        return index;
    }

    /**
     * The model run; besides the engine's plain codec, with a dictionary per pool and with a recompression agent
     * racing every operation (each a tenth of the operations): pages compressed with a dictionary or by the agent
     * go down compressed by the engine's codec alone, and what is below decompresses with that codec, no engine
     * needed.
     */
    @ParameterizedTest(name = "{0}, recompress {1}")
    @CsvSource({"lz4,", "zstd:1+dict,", "lz4, zstd:3+dict", "zstd:1, zstd:9"})
    void matchesModel(final String codec, final String recompress) throws Exception
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final MapLowerTier tier = new MapLowerTier();
        final Map<Key, Stored> model = new HashMap<>();
        final int ops = "lz4".equals(codec) && recompress == null ? OPS : OPS / 10;
        try (Arena arena = Arena.ofConfined(); Zcache zcache = zcache(tier, 80, codec, recompress))
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment expected = arena.allocate(4096);
            final MemorySegment dst = arena.allocate(4096);
            final int[] pools = {zcache.createPool(PoolKind.EPHEMERAL, 4096),
                zcache.createPool(PoolKind.PERSISTENT, 4096)};
            long nextId = 1;
            for (int op = 0; op < ops; op++)
            {
                final String where = codec + " " + recompress + ", op " + op + ", seed " + SEED;
                if (op % Math.max(1, ops / 20) == 0)
                {
                    tier.accepting = random.nextInt(4) != 0;
                }
                final int p = random.nextInt(2);
                final boolean persistent = p == 1;
                final long oid = random.nextInt(64);
                final Key key = new Key(p, oid, random.nextInt(16));
                final int kind = random.nextInt(100);
                if (kind < 45)
                {
                    final long id = nextId++;
                    PageContent.fill(page, 4096, SEED, id);
                    final int result = zcache.put(pools[p], oid, 1, 2, key.index(), page);
                    if (PageContent.isIncompressible(id))
                    {
                        assertEquals(Zcache.POOR_COMPRESSION, result, where);
                    }
                    else if (tier.accepting && persistent)
                    {
                        assertEquals(Zcache.STORED, result, where + ": a persistent put with an accepting tier");
                    }
                    if (result == Zcache.STORED)
                    {
                        model.put(key, new Stored(id, tier.refusals.get()));
                    }
                    else
                    {
                        model.remove(key);
                    }
                }
                else if (kind < 90)
                {
                    final boolean hit = zcache.get(pools[p], oid, 1, 2, key.index(), dst);
                    final Stored stored = persistent ? model.get(key) : model.remove(key);
                    if (hit)
                    {
                        if (stored == null)
                        {
                            fail(where + ": hit on a page that is not stored (a stale copy from below?)");
                        }
                        PageContent.fill(expected, 4096, SEED, stored.id());
                        assertEquals(-1, expected.mismatch(dst), where + ": bytes of page " + stored.id());
                    }
                    else if (stored != null && (persistent || tier.refusals.get() == stored.refusalsAtPut()))
                    {
                        fail(where + ": page " + stored.id() + " lost although the tier " + (persistent
                            ? "took it" : "refused nothing since it was put"));
                    }
                }
                else if (kind < 98)
                {
                    final boolean found = zcache.flushPage(pools[p], oid, 1, 2, key.index());
                    final Stored stored = model.remove(key);
                    if (persistent)
                    {
                        assertEquals(stored != null, found, where + ": flushPage answer");
                    }
                }
                else
                {
                    final int dropped = zcache.flushObject(pools[p], oid, 1, 2);
                    final int modelled = (int)model.keySet().stream()
                        .filter(k -> k.pool() == p && k.oid() == oid).count();
                    model.keySet().removeIf(k -> k.pool() == p && k.oid() == oid);
                    if (persistent)
                    {
                        assertEquals(modelled, dropped, where + ": flushObject answer");
                    }
                }
            }
            assertTrue(tier.stores.get() > 0 && zcache.stats().evictions() > 0, "the tier was used: " + tier.stores.get()
                + " stores, " + zcache.stats().evictions() + " evictions, " + tier.refusals.get() + " refusals");
            if (codec.endsWith("+dict") || recompress != null)
            {
                // the run may have ended with a refusing tier, its pages below overwritten since: new persistent
                // pages now move the coldest persistent pages down, for the check below
                tier.accepting = true;
                final long storesBefore = tier.stores.get();
                for (long id = nextId; tier.stores.get() < storesBefore + 64; id++)
                {
                    if (PageContent.isIncompressible(id) || PageContent.isSameFilled(id))
                    {
                        continue;
                    }
                    PageContent.fill(page, 4096, SEED, id);
                    final Key key = new Key(1, 64 + (id & 1023), 0);
                    assertEquals(Zcache.STORED, zcache.put(pools[1], key.oid(), 1, 2, 0, page));
                    model.put(key, new Stored(id, tier.refusals.get()));
                }
                final ZcacheStats stats = zcache.stats();
                assertTrue(stats.dictionariesMade() > 0 || recompress != null && !recompress.endsWith("+dict"),
                    "no dictionary was made");
                assertTrue(recompress == null || stats.recompressedPages() > 0, "the agent recompressed nothing");
                assertBelowDecompressesWithThePlainCodec(tier, pools, model, CodecSpec.parse(codec), arena);
            }
            zcache.destroyPool(pools[0]);
            zcache.destroyPool(pools[1]);
            assertEquals(0, tier.pages.size(), "destroying the pools emptied the tier");
            zcache.awaitDictionaries();
            // an agent's pass begun before the pools went may hold the current dictionary a moment longer
            assertEquals(0, ZcacheModelContract.settled(zcache, stats -> stats.dictionaries() == 0).dictionaries(),
                "a dictionary outlived its pages");
        }
    }

    /**
     * Every page below that the model still holds decompresses to its bytes with a fresh codec of the engine's
     * kind, without dictionary (or is the page itself).
     */
    private static void assertBelowDecompressesWithThePlainCodec(final MapLowerTier tier, final int[] pools,
        final Map<Key, Stored> model, final CodecSpec codec, final Arena arena)
    {
        final MemorySegment block = arena.allocate(8192);
        final MemorySegment page = arena.allocate(4096);
        final MemorySegment expected = arena.allocate(4096);
        int checked = 0;
        try (Codec plain = codec.withoutDictionary().newCodec())
        {
            for (final Map.Entry<MapLowerTier.Key, byte[]> below : tier.pages.entrySet())
            {
                final MapLowerTier.Key key = below.getKey();
                final int p = key.pool() == pools[0] ? 0 : 1;
                final Stored stored = model.get(new Key(p, key.a(), key.index()));
                if (stored == null)
                {
                    continue; // dropped or replaced locally since (the copy below is dropped with it)
                }
                final byte[] bytes = below.getValue();
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, block, 0, bytes.length);
                if (bytes.length == 4096)
                {
                    MemorySegment.copy(block, 0, page, 0, 4096);
                }
                else
                {
                    plain.decompress(block, 0, bytes.length, page, 0, 4096);
                }
                PageContent.fill(expected, 4096, SEED, stored.id());
                assertEquals(-1, expected.mismatch(page), "page " + stored.id() + " below, seed " + SEED);
                checked++;
            }
        }
        assertTrue(checked > 0, "no page below to check");
    }

    @Test
    void onceFullPutsGoBelowUntilUsageFallsUnderTheAcceptThreshold()
    {
        final MapLowerTier tier = new MapLowerTier();
        try (Arena arena = Arena.ofConfined(); Zcache zcache = zcache(tier, 50))
        {
            final MemorySegment page = arena.allocate(4096);
            final int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
            // a tier that refuses: nothing moves down, so the budget fills and a put finally fails
            tier.accepting = false;
            int index = 0;
            int result;
            do
            {
                PageContent.fill(page, 4096, 7, 3 + 10L * index);
                result = zcache.put(pool, 1, 1, 1, index++, page);
            }
            while (result == Zcache.STORED);
            assertEquals(Zcache.NO_MEMORY, result);
            final int local = index - 1;
            tier.accepting = true;
            for (int i = 0; i < 20; i++)
            {
                PageContent.fill(page, 4096, 7, 3 + 10L * index);
                assertEquals(Zcache.STORED, zcache.put(pool, 1, 1, 1, index++, page));
            }
            assertEquals(20, tier.stores.get(), "full: every new page went below, nothing was moved");
            for (int i = 0; i < local * 2 / 3; i++)
            {
                assertTrue(zcache.flushPage(pool, 1, 1, 1, i));
            }
            PageContent.fill(page, 4096, 7, 3 + 10L * index);
            assertEquals(Zcache.STORED, zcache.put(pool, 1, 1, 1, index, page));
            assertEquals(20, tier.stores.get(), "under the threshold: stored locally again");
            assertEquals(20, tier.pagesOf(pool));
        }
    }

    @Test
    void persistentPagesMoveDownColdestFirstAndOnlyOnceTheTierTookThem()
    {
        final MapLowerTier tier = new MapLowerTier();
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(BUDGET)
                .compressorSlots(1).buckets(1).checksum(true).lowerTier(tier).build())
        {
            final MemorySegment page = arena.allocate(4096);
            final int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final int pages = 3 * (int)(BUDGET / 4096);
            for (int index = 0; index < pages; index++)
            {
                PageContent.fill(page, 4096, 11, 3 + 10L * index);
                assertEquals(Zcache.STORED, zcache.put(pool, 1, 1, 1, index, page));
            }
            final long below = tier.pagesOf(pool);
            assertTrue(below > 0 && zcache.stats().storedPages() + below == pages, below + " below");
            assertEquals(below, zcache.lowerTierStats().remotified(), "every page below was moved down for room");
            for (int index = 0; index < pages; index++)
            {
                // one bucket: its list is exact put order, so the pages below are the first ones put
                assertEquals(index < below, tier.pages.containsKey(new MapLowerTier.Key(pool, 1, 1, 1, index)),
                    "page " + index);
            }
            // a refusing tier: the coldest pages stay, so the budget fills and puts fail, no page is lost
            tier.accepting = false;
            int index = pages;
            int result;
            do
            {
                PageContent.fill(page, 4096, 11, 3 + 10L * index);
                result = zcache.put(pool, 1, 1, 1, index++, page);
            }
            while (result == Zcache.STORED);
            assertEquals(Zcache.NO_MEMORY, result);
            tier.accepting = true;
            final MemorySegment expected = arena.allocate(4096);
            for (int i = 0; i < index - 1; i++)
            {
                assertTrue(zcache.get(pool, 1, 1, 1, i, page), "page " + i);
                PageContent.fill(expected, 4096, 11, 3 + 10L * i);
                assertEquals(-1, expected.mismatch(page), "bytes of page " + i);
            }
        }
    }

    @Test
    void aRawPageGoesDownAsItselfAndComesBackAsItself()
    {
        final MapLowerTier tier = new MapLowerTier();
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(BUDGET)
                .compressorSlots(2).rawIncompressible(true).lowerTier(tier).build())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment back = arena.allocate(4096);
            final int pool = zcache.createPool(PoolKind.EPHEMERAL, 4096);
            PageContent.fill(page, 4096, 5, 2);
            assertEquals(Zcache.STORED, zcache.put(pool, 9, 9, 9, 0, page));
            assertEquals(1, zcache.stats().putsRaw(), "the random page is kept raw");
            for (int index = 1; tier.pagesOf(pool) == 0 || tier.pages.get(new MapLowerTier.Key(pool, 9, 9, 9, 0))
                == null; index++)
            {
                PageContent.fill(page, 4096, 5, 3 + 10L * index);
                assertEquals(Zcache.STORED, zcache.put(pool, 1, 1, 1, index, page));
            }
            assertEquals(4096, tier.pages.get(new MapLowerTier.Key(pool, 9, 9, 9, 0)).length);
            assertTrue(zcache.get(pool, 9, 9, 9, 0, back));
            PageContent.fill(page, 4096, 5, 2);
            assertEquals(-1, page.mismatch(back));
        }
    }

    @Test
    void anUnreachableTierIsAMissForEphemeralPagesAndAnErrorForPersistentOnes()
    {
        final MapLowerTier tier = new MapLowerTier();
        try (Arena arena = Arena.ofConfined(); Zcache zcache = zcache(tier, 90))
        {
            final MemorySegment page = arena.allocate(4096);
            final int ephemeral = zcache.createPool(PoolKind.EPHEMERAL, 4096);
            final int persistent = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final int index = putUntilOneGoesBelow(zcache, tier, persistent, page, 9);
            PageContent.fill(page, 4096, 9, 3);
            assertEquals(Zcache.STORED, zcache.put(ephemeral, 1, 1, 1, 0, page));
            tier.reachable = false;
            final int below = tier.pages.keySet().stream().filter(key -> key.pool() == persistent)
                .mapToInt(MapLowerTier.Key::index).findFirst().orElseThrow();
            assertTrue(below < index);
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> zcache.get(persistent, 1, 1, 1, below, page));
            assertTrue(ex.getMessage().contains("cannot be reached"), ex.getMessage());
            assertFalse(zcache.get(ephemeral, 1, 1, 1, 5, page));
            tier.reachable = true;
            assertTrue(zcache.get(persistent, 1, 1, 1, below, page));
            final MemorySegment expected = arena.allocate(4096);
            PageContent.fill(expected, 4096, 9, 3 + 10L * below);
            assertEquals(-1, expected.mismatch(page));
        }
    }
}
