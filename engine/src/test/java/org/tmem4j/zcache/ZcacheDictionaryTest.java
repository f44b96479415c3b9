package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code zstd+dict}: a pool trains a dictionary on its own pages in the background and compresses with it from then
 * on; pages stored before stay readable; a drifting ratio trains a new one; a dictionary dies with its last page.
 * Pages here are 64 chunks drawn from a family of 256, each chunk 24 random bytes and 40 zeros: a page alone
 * compresses about 2:1, a dictionary that learnt the family shrinks it several times more, as database pages of one
 * table share their layout.
 */
final class ZcacheDictionaryTest
{
    private static final int PAGE = 4096;
    private static final int CHUNK = 64;
    private static final int RANDOM_PER_CHUNK = 24;
    private static final int FAMILY = 256;
    private static final int SAMPLE_BYTES = 64 << 10;
    private static final long BUDGET = 256L << 20;

    @Test
    void trainsOnThePoolsPagesAndStoresThemSmallerThanPlainZstd() throws Exception
    {
        try (Arena arena = Arena.ofConfined();
            Zcache dict = dictionaryEngine(false);
            Zcache plain = Zcache.builder().allocator(PagePerObjectAllocator.NAME).codec("zstd:3")
                .budgetBytes(BUDGET).build())
        {
            final MemorySegment page = arena.allocate(PAGE);
            final MemorySegment back = arena.allocate(PAGE);
            final int pool = dict.createSharedPool(PoolKind.PERSISTENT, 1, 2, PAGE);
            final int plainPool = plain.createPool(PoolKind.PERSISTENT, PAGE);
            final int before = SAMPLE_BYTES / PAGE;
            for (int i = 0; i < before; i++)
            {
                put(dict, pool, i, family(page, 1, i));
            }
            dict.awaitDictionaries();
            assertTrue(dict.stats().dictionariesMade() >= 1, "a dictionary once the sample is complete");
            final long beforeBytes = dict.stats().compressedBytes();
            final int pages = 512;
            for (int i = before; i < before + pages; i++)
            {
                put(dict, pool, i, family(page, 1, i));
                put(plain, plainPool, i, page);
            }
            final long dictBytes = dict.stats().compressedBytes() - beforeBytes;
            final long plainBytes = plain.stats().compressedBytes();
            assertTrue(dictBytes * 2 < plainBytes, "with a dictionary " + dictBytes + " bytes, plain zstd:3 " +
                plainBytes);
            for (int i = 0; i < before + pages; i++)
            {
                assertTrue(dict.get(pool, i, 0, 0, 0, back.fill((byte)0x5A)), "page " + i);
                assertEquals(-1, family(page, 1, i).mismatch(back), "page " + i);
            }
            final ZcacheStats stats = dict.stats();
            // one per milestone of the sample at most (16, 64, 256 pages), each kept by the pages it compressed
            assertTrue(stats.dictionaries() >= 1 && stats.dictionaries() <= stats.dictionariesMade(),
                "dictionaries " + stats.dictionaries() + " of " + stats.dictionariesMade() + " made");
            assertTrue(stats.dictionaryBytes() > 0 && stats.dictionaryBytes() <= stats.dictionaries() * (32 << 10));
            assertTrue(stats.effectiveRatio() > 0);

            dict.destroyPool(pool);
            assertEquals(0, dict.stats().dictionaries(), "the pool's dictionary dies with the pool");
            assertEquals(0, dict.stats().dictionaryBytes());
        }
    }

    @Test
    void retrainsWhenTheRatioDriftsAndFreesTheOldDictionaryWithItsLastPage() throws Exception
    {
        // with the migration, which must leave the first family's pages with their own dictionary (the second
        // family's compresses them far worse)
        try (Arena arena = Arena.ofConfined(); Zcache zcache = dictionaryEngine(true))
        {
            final MemorySegment page = arena.allocate(PAGE);
            final MemorySegment back = arena.allocate(PAGE);
            final int pool = zcache.createPool(PoolKind.PERSISTENT, PAGE);
            final int sample = SAMPLE_BYTES / PAGE;
            for (int i = 0; i < sample; i++)
            {
                put(zcache, pool, i, family(page, 1, i));
            }
            zcache.awaitDictionaries();
            final long made = zcache.stats().dictionariesMade();
            // a full window of the trained family sets the baseline, then another family drifts away from it
            final int firstFamily = sample + PageDictionary.WINDOW * 2;
            for (int i = sample; i < firstFamily; i++)
            {
                put(zcache, pool, i, family(page, 1, i));
            }
            int next = firstFamily;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (zcache.stats().dictionariesMade() == made)
            {
                if (System.nanoTime() > deadline)
                {
                    fail("no second dictionary after " + (next - firstFamily) + " pages of another family");
                }
                put(zcache, pool, next, family(page, 2, next));
                next++;
            }
            zcache.awaitDictionaries();
            assertTrue(zcache.stats().dictionaries() >= 2, "the first dictionary lives on in its pages");
            assertEquals(1, zcache.stats().dictionaryCompressors(),
                "only the current dictionary keeps a form prepared for compressing");
            for (int i = 0; i < next; i++)
            {
                assertTrue(zcache.get(pool, i, 0, 0, 0, back), "page " + i);
                assertEquals(-1, family(page, i < firstFamily ? 1 : 2, i).mismatch(back), "page " + i);
            }
            // every page of the first dictionary goes: so does it
            for (int i = 0; i < firstFamily; i++)
            {
                assertTrue(zcache.flushPage(pool, i, 0, 0, 0));
            }
            // pages of family 2 put before the new dictionary still hold the old one: rewrite them (again while
            // the rewrite reached a milestone of the new sample, whose dictionary may have replaced the current one)
            long madeBefore;
            int passes = 0;
            do
            {
                madeBefore = zcache.stats().dictionariesMade();
                for (int i = firstFamily; i < next; i++)
                {
                    put(zcache, pool, i, family(page, 2, i));
                }
                zcache.awaitDictionaries();
            }
            while (zcache.stats().dictionariesMade() != madeBefore && ++passes < 8);
            assertEquals(1, zcache.stats().dictionaries(), "older dictionaries are freed with their last pages");
            for (int i = firstFamily; i < next; i++)
            {
                assertTrue(zcache.get(pool, i, 0, 0, 0, back), "page " + i);
                assertEquals(-1, family(page, 2, i).mismatch(back), "page " + i);
            }
        }
    }

    /**
     * A pool's first dictionary learnt only an eighth of its family's chunks (its sample's pages used no others);
     * the next, made at the sample's next milestone of pages of the whole family, replaces it, and the pages the
     * first one compressed move to the new one in the background, so that the first is freed: without the migration
     * it would live as long as they. No page is put while the second is made and the migration runs (a page put with
     * the first meanwhile may be linked after the pass went by its bucket, and waits for the next pass).
     */
    @Test
    void movesThePagesOfASupersededDictionaryToTheCurrentOneAndFreesIt() throws Exception
    {
        assertEquals(1, supersede(true).dictionaries(), "the superseded dictionary is freed once its pages moved");
        assertEquals(2, supersede(false).dictionaries(), "without the migration it lives on in its pages");
    }

    /** {@return the engine's statistics once a dictionary of a narrow sample was replaced, and its pages read back} */
    private static ZcacheStats supersede(final boolean migration) throws Exception
    {
        // 64 sample pages, 8 of them held out: the second dictionary's candidate is judged on more than a few pages
        final int sampleBytes = 256 << 10;
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).codec("zstd:3+dict")
                .budgetBytes(BUDGET).dictionarySampleBytes(sampleBytes).dictionaryBytes(32 << 10)
                .dictionaryMigration(migration).build())
        {
            final MemorySegment page = arena.allocate(PAGE);
            final MemorySegment back = arena.allocate(PAGE);
            final int pool = zcache.createPool(PoolKind.PERSISTENT, PAGE);
            final int sample = sampleBytes / PAGE;
            for (int i = 0; i < sample; i++)
            {
                put(zcache, pool, i, family(page, 1, i, FAMILY / 8));
            }
            zcache.awaitDictionaries();
            assertEquals(1, zcache.stats().dictionariesMade(), "the first dictionary, of the narrow pages");
            // up to the next milestone (four times the sample), then nothing while the dictionary is made
            final int next = 4 * sample;
            for (int i = sample; i < next; i++)
            {
                put(zcache, pool, i, family(page, 1, i, FAMILY));
            }
            zcache.awaitDictionaries();
            final ZcacheStats stats = zcache.stats();
            assertEquals(2, stats.dictionariesMade(), "a dictionary of the whole family replaced the first");
            assertEquals(migration, stats.dictionaryMigratedPages() > 0, "pages moved to the new dictionary");
            for (int i = 0; i < next; i++)
            {
                assertTrue(zcache.get(pool, i, 0, 0, 0, back.fill((byte)0x5A)), "page " + i);
                assertEquals(-1, family(page, 1, i, i < sample ? FAMILY / 8 : FAMILY).mismatch(back), "page " + i);
            }
            return stats;
        }
    }

    /**
     * A run of 512 pages of another kind (a table's index after its rows) gets a dictionary of its own within it, and its later pages are stored several times smaller than with the first
     * family's dictionary.
     */
    @Test
    void aShortRunOfAnotherKindGetsItsOwnDictionaryEarlyInTheRun() throws Exception
    {
        // without the migration (the default), which would move the run's first pages to its dictionary while this
        // measures them
        try (Arena arena = Arena.ofConfined(); Zcache zcache = dictionaryEngine(false))
        {
            final MemorySegment page = arena.allocate(PAGE);
            final int pool = zcache.createPool(PoolKind.PERSISTENT, PAGE);
            // 512 pages: a run as short as a small index
            final int run = 512;
            final int firstFamily = SAMPLE_BYTES / PAGE + run;
            for (int i = 0; i < firstFamily; i++)
            {
                put(zcache, pool, i, family(page, 1, i));
            }
            zcache.awaitDictionaries();
            final long made = zcache.stats().dictionariesMade();
            final long before = zcache.stats().compressedBytes();
            // the first window of family 2 drifts, then a small sample, then its dictionary
            final int head = run;
            for (int i = firstFamily; i < firstFamily + head; i++)
            {
                put(zcache, pool, i, family(page, 2, i));
            }
            zcache.awaitDictionaries();
            final long headBytes = zcache.stats().compressedBytes() - before;
            assertTrue(zcache.stats().dictionariesMade() > made, "no dictionary within " + head + " pages of family 2");
            for (int i = firstFamily + head; i < firstFamily + 2 * head; i++)
            {
                put(zcache, pool, i, family(page, 2, i));
            }
            final long tailBytes = zcache.stats().compressedBytes() - before - headBytes;
            assertTrue(tailBytes * 2 < headBytes, "family 2 with its own dictionary " + tailBytes + " bytes, before it "
                + headBytes);
        }
    }

    /**
     * Four threads put pages whose family changes every few windows, so that dictionaries drift and supersede each
     * other while puts are compressing with them (a put that finds its dictionary superseded under its compressor
     * slot compresses with the successor). Every page reads back exactly, and once the trainer is idle only the
     * current dictionary keeps a form prepared for compressing.
     */
    @Test
    void supersedingDictionariesUnderConcurrentPutsKeepsEveryPageExact() throws Exception
    {
        final int threads = 4;
        final int perThread = 6_000;
        final int run = PageDictionary.WINDOW * 3;
        try (Zcache zcache = dictionaryEngine(false))
        {
            final int pool = zcache.createPool(PoolKind.PERSISTENT, PAGE);
            final List<Thread> putters = new ArrayList<>();
            final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                putters.add(Thread.ofPlatform().start(() ->
                {
                    try (Arena arena = Arena.ofConfined())
                    {
                        final MemorySegment page = arena.allocate(PAGE);
                        for (int i = 0; i < perThread; i++)
                        {
                            final int oid = thread * perThread + i;
                            put(zcache, pool, oid, family(page, 1 + i / run % 3, oid));
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(ex);
                    }
                }));
            }
            for (final Thread putter : putters)
            {
                putter.join();
            }
            assertTrue(failures.isEmpty(), () -> "a putter failed: " + failures.peek());
            zcache.awaitDictionaries();
            final ZcacheStats stats = zcache.stats();
            assertTrue(stats.dictionariesMade() >= 2, "families that change make dictionaries supersede each other: "
                + stats.dictionariesMade() + " made");
            assertEquals(1, stats.dictionaryCompressors(), "only the current dictionary keeps a compressing form");
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment page = arena.allocate(PAGE);
                final MemorySegment back = arena.allocate(PAGE);
                for (int t = 0; t < threads; t++)
                {
                    for (int i = 0; i < perThread; i++)
                    {
                        final int oid = t * perThread + i;
                        assertTrue(zcache.get(pool, oid, 0, 0, 0, back), "page " + oid);
                        assertEquals(-1, family(page, 1 + i / run % 3, oid).mismatch(back), "page " + oid);
                    }
                }
            }
        }
    }

    @Test
    void refusesADictionaryOnCodecsOtherThanZstd()
    {
        assertThrows(IllegalArgumentException.class, () -> Zcache.builder().codec("lz4+dict"));
        assertThrows(IllegalArgumentException.class, () -> Zcache.builder().dictionaryBytes(100));
        assertThrows(IllegalArgumentException.class, () -> Zcache.builder().dictionarySampleBytes(1));
    }

    private static Zcache dictionaryEngine(final boolean migration)
    {
        return Zcache.builder().allocator(PagePerObjectAllocator.NAME).codec("zstd:3+dict").budgetBytes(BUDGET)
            .dictionarySampleBytes(SAMPLE_BYTES).dictionaryBytes(32 << 10).dictionaryMigration(migration).build();
    }

    private static void put(final Zcache zcache, final int pool, final int oid, final MemorySegment page)
    {
        assertEquals(Zcache.STORED, zcache.put(pool, oid, 0, 0, 0, page), "put of page " + oid);
    }

    /**
     * Page {@code id} of a family: 64 chunks drawn from the family's 256 (the same for every page of the family).
     */
    private static MemorySegment family(final MemorySegment page, final int family, final long id)
    {
        return family(page, family, id, FAMILY);
    }

    /**
     * Page {@code id} of a family whose chunks are drawn from the first {@code chunks} of the family's.
     */
    private static MemorySegment family(final MemorySegment page, final int family, final long id, final int chunks)
    {
        final SplittableRandom draw = new SplittableRandom(family * 1_000_003L + id);
        for (int c = 0; c < PAGE / CHUNK; c++)
        {
            final SplittableRandom chunk = new SplittableRandom(family * 7919L + draw.nextInt(chunks));
            for (int b = 0; b < CHUNK; b += Long.BYTES)
            {
                page.set(ValueLayout.JAVA_LONG_UNALIGNED, (long)c * CHUNK + b,
                    b < RANDOM_PER_CHUNK ? chunk.nextLong() : 0);
            }
        }
        return page;
    }

}
