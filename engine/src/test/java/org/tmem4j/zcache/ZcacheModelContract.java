package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole zcache backend against an in-heap model, for one allocator (subclasses name it; the engine runs it
 * with its page-per-object test allocator, the frontends module with zbud and zsmalloc): {@value #DEFAULT_OPS}
 * seeded random operations, half with each codec (LZ4 with checksums and shared gets, zstd with exclusive gets;
 * zstd with a dictionary per pool, retrained as the pages drift, and recompression to a stronger codec by a
 * background agent racing every operation, as further cases: {@code "codec>strong"}, and
 * {@code "codec>strong@fraction"} for the coldest-fraction rule),
 * over an ephemeral 4 KiB pool, a persistent 4 KiB pool and a persistent 16 KiB pool, under a budget small enough that
 * ephemeral pages are evicted and persistent puts sometimes fail, with the budget lowered and raised at run time,
 * pools destroyed and recreated, and compaction.
 * <p>
 * Checked: every put's answer (random pages are refused as poor compression; others stored or refused for memory),
 * every hit byte for byte, persistent pages never lost, ephemeral pages only ever missing (never stale or foreign),
 * flush answers, per-pool page counts, byte accounting against the allocator, the budget, and that everything is
 * given back at the end. The seed is in every failure message; {@code -Dtmem4j.seed=N}, {@code -Dtmem4j.ops=N}.
 */
public abstract class ZcacheModelContract
{
    protected static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    protected static final int DEFAULT_OPS = 1_000_000;
    protected static final int OPS = Integer.getInteger("tmem4j.ops", DEFAULT_OPS);

    private static final long BUDGET = 2L << 20;
    private static final int EPHEMERAL = 0;
    private static final int PERSISTENT = 1;
    private static final int LARGE = 2;
    private static final int[] PAGE_SIZES = {4096, 4096, 16384};
    private static final int[] OBJECTS = {512, 64, 16};
    private static final int[] INDEXES = {16, 8, 4};

    private record Key(int pool, long oid, int index)
    {
    }

    /**
     * @return the allocator under test, by name.
     */
    protected abstract String allocatorName();

    @ParameterizedTest(name = "{0}, rawIncompressible={1}")
    @CsvSource({"lz4, false", "zstd:1, false", "lz4, true", "zstd:1, true", "zstd:1+dict>zstd:3+dict, true",
        "lz4>zstd:9, false", "zstd:1>zstd:9+dict@0.5, false"})
    void matchesModel(final String codec, final boolean raw)
    {
        final boolean lz4 = codec.startsWith("lz4");
        // "codec>strong": a background recompression agent with that codec races every operation (idle time 0);
        // "codec>strong@fraction": the agent takes the coldest fraction of each pool by put order instead
        final String agent = codec.contains(">") ? codec.substring(codec.indexOf('>') + 1) : null;
        final String strong = agent == null || !agent.contains("@") ? agent : agent.substring(0, agent.indexOf('@'));
        final double coldest = agent == null || !agent.contains("@") ? 0 :
            Double.parseDouble(agent.substring(agent.indexOf('@') + 1));
        final SplittableRandom random = new SplittableRandom(SEED ^ codec.hashCode());
        final Map<Key, Long> model = new HashMap<>();
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(allocatorName())
                .codec(strong == null ? codec : codec.substring(0, codec.indexOf('>'))).budgetBytes(BUDGET)
                .recompress(strong).recompressIdleMs(0).recompressColdestFraction(coldest).recompressIntervalMs(5)
                .recompressMinSavedBytes(16)
                .checksum(lz4).exclusiveGets(!lz4).compressorSlots(2).rawIncompressible(raw)
                .dictionarySampleBytes(256 << 10).dictionaryMigration(true).build())
        {
            final MemorySegment page = arena.allocate(16384);
            final MemorySegment expected = arena.allocate(16384);
            final MemorySegment dst = arena.allocate(16384);
            final int[] ids = {
                zcache.createPool(PoolKind.EPHEMERAL, 4096),
                zcache.createPool(PoolKind.PERSISTENT, 4096),
                zcache.createPool(PoolKind.PERSISTENT, 16384)};
            long nextId = 1;
            long stored = 0;
            // the coldest-fraction case checks its rule against the same model in a fifth of the operations
            final int ops = coldest > 0 ? OPS / 10 : OPS / 2;
            for (int op = 0; op < ops; op++)
            {
                final int opNumber = op;
                final Supplier<String> where = () -> allocatorName() + " " + codec + (raw ? " raw" : "") + ", op " +
                    opNumber + ", seed " + SEED;
                final int p = random.nextInt(10) < 6 ? EPHEMERAL : random.nextInt(6) == 0 ? LARGE : PERSISTENT;
                final int pageSize = PAGE_SIZES[p];
                final long oid = random.nextInt(OBJECTS[p]);
                final Key key = new Key(p, oid, random.nextInt(INDEXES[p]));
                final MemorySegment pageView = page.asSlice(0, pageSize);
                final MemorySegment dstView = dst.asSlice(0, pageSize);
                final int kind = random.nextInt(1000);
                if (kind < 440)
                {
                    final long id = nextId++;
                    PageContent.fill(page, pageSize, SEED, id);
                    final int result = zcache.put(ids[p], oid, ~oid, p, key.index(), pageView);
                    if (PageContent.isIncompressible(id) && !raw)
                    {
                        assertEquals(Zcache.POOR_COMPRESSION, result, () -> where.get() + ": random page admitted");
                    }
                    else if (PageContent.isIncompressible(id))
                    {
                        assertTrue(result == Zcache.STORED || result == Zcache.POOR_COMPRESSION,
                            () -> where.get() + ": a raw page is stored or, without room, refused; was " + result);
                    }
                    else if (result != Zcache.NO_MEMORY)
                    {
                        assertEquals(Zcache.STORED, result, () -> where.get() + ": put of page " + id);
                    }
                    if (result == Zcache.STORED)
                    {
                        model.put(key, id);
                        stored++;
                    }
                    else
                    {
                        model.remove(key);
                    }
                }
                else if (kind < 850)
                {
                    dstView.fill((byte)0x5A);
                    final boolean hit = zcache.get(ids[p], oid, ~oid, p, key.index(), dstView);
                    final Long id = model.get(key);
                    if (hit)
                    {
                        if (id == null)
                        {
                            fail(() -> where.get() + ": hit on a page that is not stored");
                        }
                        PageContent.fill(expected, pageSize, SEED, id);
                        final long at = MemorySegment.mismatch(expected, 0, pageSize, dst, 0, pageSize);
                        if (at >= 0)
                        {
                            fail(() -> where.get() + ": page " + id + " differs at byte " + at);
                        }
                    }
                    else if (p != EPHEMERAL)
                    {
                        assertEquals(null, id, () -> where.get() + ": persistent page lost");
                    }
                    if (p == EPHEMERAL || !lz4 || !hit)
                    {
                        model.remove(key);
                    }
                }
                else if (kind < 940)
                {
                    final boolean found = zcache.flushPage(ids[p], oid, ~oid, p, key.index());
                    final Long id = model.remove(key);
                    if (found || p != EPHEMERAL)
                    {
                        assertEquals(id != null, found, () -> where.get() + ": flushPage");
                    }
                }
                else if (kind < 960)
                {
                    final int flushed = zcache.flushObject(ids[p], oid, ~oid, p);
                    int expectedPages = 0;
                    for (final Iterator<Key> it = model.keySet().iterator(); it.hasNext(); )
                    {
                        final Key k = it.next();
                        if (k.pool() == p && k.oid() == oid)
                        {
                            expectedPages++;
                            it.remove();
                        }
                    }
                    if (p == EPHEMERAL)
                    {
                        assertTrue(flushed <= expectedPages,
                            () -> where.get() + ": flushObject of more than was put");
                    }
                    else
                    {
                        assertEquals(expectedPages, flushed, () -> where.get() + ": flushObject");
                    }
                }
                else if (kind < 970)
                {
                    // an agent changes objects between the engine's and the allocator's figures: bytes match at the end
                    checkAccounting(zcache, ids, model, where, strong == null);
                }
                else if (kind < 980)
                {
                    zcache.compact();
                }
                else if (kind < 990)
                {
                    final long budget = random.nextBoolean() ? BUDGET / 4 : BUDGET;
                    zcache.budgetBytes(budget);
                    final ZcacheStats stats = zcache.stats();
                    // an agent's new form stored between the shrink and this look can hold a page more, for a moment
                    if (stats.memory().bytesInUse() > budget && strong == null)
                    {
                        final ZcachePoolStats ephemeral = row(stats, ids[EPHEMERAL]);
                        assertEquals(ephemeral.sameFilledPages(), ephemeral.pages(),
                            () -> where.get() + ": over a lowered budget with evictable ephemeral pages left");
                    }
                }
                else if (random.nextInt(20) == 0)
                {
                    final int victim = random.nextBoolean() ? EPHEMERAL : PERSISTENT;
                    zcache.destroyPool(ids[victim]);
                    ids[victim] = zcache.createPool(victim == EPHEMERAL ? PoolKind.EPHEMERAL : PoolKind.PERSISTENT,
                        4096);
                    model.keySet().removeIf(k -> k.pool() == victim);
                }
            }
            if (strong != null)
            {
                // every page is checked after this pass: the agent's later passes change nothing
                zcache.recompress();
                for (final Iterator<Map.Entry<Key, Long>> it = model.entrySet().iterator(); it.hasNext(); )
                {
                    final Map.Entry<Key, Long> entry = it.next();
                    final Key key = entry.getKey();
                    if (key.pool() == EPHEMERAL)
                    {
                        continue;
                    }
                    final int pageSize = PAGE_SIZES[key.pool()];
                    if (!zcache.get(ids[key.pool()], key.oid(), ~key.oid(), key.pool(), key.index(),
                        dst.asSlice(0, pageSize).fill((byte)0x5A)))
                    {
                        fail("persistent page " + entry.getValue() + " lost after recompression; seed " + SEED);
                    }
                    PageContent.fill(expected, pageSize, SEED, entry.getValue());
                    if (MemorySegment.mismatch(expected, 0, pageSize, dst, 0, pageSize) >= 0)
                    {
                        fail("page " + entry.getValue() + " differs after recompression; seed " + SEED);
                    }
                    if (!lz4)
                    {
                        it.remove(); // exclusive gets took it
                    }
                }
                assertTrue(zcache.stats().recompressedPages() > 0, "the agent recompressed nothing; seed " + SEED);
            }
            checkAccounting(zcache, ids, model, () -> "end, seed " + SEED, strong == null);
            if (strong != null)
            {
                assertBytesSettle(zcache, "end, seed " + SEED);
            }
            final ZcacheStats stats = zcache.stats();
            System.out.printf("%s %s: %d ops, %d stored, %d evictions, %d failed for memory, %d poor, %d same-filled," +
                    " %d raw, %d persistent ate ephemeral%n", allocatorName(), codec, ops, stored, stats.evictions(),
                stats.failedPutsNoMemory(), stats.failedPutsPoorCompression(), stats.sameFilled(), stats.putsRaw(),
                stats.persistentAteEphemeral());
            assertEquals(raw, stats.putsRaw() > 0, "raw pages stored exactly when asked for; seed " + SEED);
            assertTrue(stats.evictions() > 0, "the budget never forced an eviction; seed " + SEED);
            for (final int id : ids)
            {
                zcache.destroyPool(id);
            }
            final ZcacheStats empty = settled(zcache, s -> s.allocator().objects() == 0);
            assertEquals(0, empty.allocator().objects(), "objects left after destroying every pool; seed " + SEED);
            assertEquals(0, empty.compressedBytes(), "bytes left after destroying every pool; seed " + SEED);
            if (codec.endsWith("+dict"))
            {
                assertTrue(stats.dictionariesMade() > 0, "no dictionary trained; seed " + SEED);
                // a training still running for a destroyed pool frees its dictionary when it ends
                final long deadline = System.nanoTime() + 60_000_000_000L;
                while (zcache.stats().dictionaries() != 0 && System.nanoTime() < deadline)
                {
                    Thread.onSpinWait();
                }
                assertEquals(0, zcache.stats().dictionaryBytes(), "dictionaries outlive their pools; seed " + SEED);
            }
        }
    }

    private static void checkAccounting(final Zcache zcache, final int[] ids, final Map<Key, Long> model,
        final Supplier<String> where, final boolean bytes)
    {
        final ZcacheStats stats = zcache.stats();
        final long[] pages = new long[ids.length];
        for (final Key key : model.keySet())
        {
            pages[key.pool()]++;
        }
        for (final ZcachePoolStats row : stats.pools())
        {
            for (int p = 0; p < ids.length; p++)
            {
                if (row.id() == ids[p])
                {
                    if (p == EPHEMERAL)
                    {
                        assertTrue(row.pages() <= pages[p],
                            () -> where.get() + ": ephemeral pool holds pages never put");
                    }
                    else
                    {
                        final int pool = p;
                        assertEquals(pages[p], row.pages(), () -> where.get() + ": pages of persistent pool " + pool);
                    }
                }
            }
        }
        if (bytes)
        {
            assertEquals(stats.allocator().storedBytes(), stats.compressedBytes(),
                () -> where.get() + ": bytes vs allocator");
        }
        assertTrue(stats.memory().reservedBytes() <= BUDGET, () -> where.get() + ": budget exceeded");
    }

    /**
     * With a recompression agent still at work (a page it found no room for is tried again on its next pass), the
     * engine's and the allocator's byte counts are read at slightly different moments; between the agent's pages
     * they agree, so they must agree within a few seconds, or bytes leaked.
     */
    static void assertBytesSettle(final Zcache zcache, final String where)
    {
        final ZcacheStats stats = settled(zcache, s -> s.allocator().storedBytes() == s.compressedBytes());
        assertEquals(stats.allocator().storedBytes(), stats.compressedBytes(), where + ": bytes vs allocator");
    }

    /**
     * {@return the first snapshot within 10 s that meets the condition, else the last one}: what a recompression
     * agent at work (one page in flight at a time) leaves true between its pages.
     */
    static ZcacheStats settled(final Zcache zcache, final java.util.function.Predicate<ZcacheStats> condition)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        ZcacheStats stats = zcache.stats();
        while (!condition.test(stats) && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
            stats = zcache.stats();
        }
        return stats;
    }

    private static ZcachePoolStats row(final ZcacheStats stats, final int poolId)
    {
        return stats.pools().stream().filter(r -> r.id() == poolId).findFirst().orElseThrow();
    }
}
