package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared gets decompress outside the bucket lock, from memory a racing overwrite, flush or pool destruction takes
 * out of the index: readers hammer a few pages of one object (one bucket) of a persistent pool while writers
 * overwrite and flush them, and every hit must be a whole page some put stored. The allocator overwrites every
 * object it frees, so a get that read memory after its free (the remover did not hand the free over) sees garbage
 * and fails its check or its decompression; at the end no object may be left over (every handed-over free ran).
 */
final class ZcacheSharedGetRaceTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int READERS = 3;
    private static final int WRITERS = 2;
    private static final int OPS = 40_000;
    private static final int INDEXES = 8;
    private static final long OID = 7;

    @ParameterizedTest
    @CsvSource({"lz4, false, 2", "lz4, false, 1", "zstd:-1, true, 2", "zstd:1+dict, false, 2"})
    void everyHitIsAWholeStoredPage(final String codec, final boolean checksum, final int slots) throws Exception
    {
        try (Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.POISONING_NAME).codec(codec)
            .checksum(checksum).budgetBytes(16 << 20).compressorSlots(slots).dictionarySampleBytes(64 << 10).build())
        {
            final int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final AtomicLongArray issued = new AtomicLongArray(INDEXES);
            final AtomicLong hits = new AtomicLong();
            final AtomicBoolean writing = new AtomicBoolean(true);
            final CountDownLatch start = new CountDownLatch(1);
            final ExecutorService executor = Executors.newFixedThreadPool(READERS + WRITERS);
            try
            {
                final List<Future<?>> writers = new ArrayList<>();
                final List<Future<?>> readers = new ArrayList<>();
                for (int t = 0; t < WRITERS; t++)
                {
                    final int thread = t;
                    writers.add(executor.submit(() ->
                    {
                        start.await();
                        write(zcache, pool, thread, issued);
                        return null;
                    }));
                }
                for (int t = 0; t < READERS; t++)
                {
                    readers.add(executor.submit(() ->
                    {
                        start.await();
                        read(zcache, pool, issued, writing, hits);
                        return null;
                    }));
                }
                start.countDown();
                for (final Future<?> writer : writers)
                {
                    writer.get();
                }
                writing.set(false);
                for (final Future<?> reader : readers)
                {
                    reader.get();
                }
            }
            finally
            {
                executor.shutdownNow();
            }
            System.out.printf("shared get race %s, %d slots: %d hits checked, %d compressor slots made%n", codec,
                slots, hits.get(), zcache.stats().compressorSlots());
            assertTrue(hits.get() > 0, "no get hit; seed " + SEED);
            ZcacheModelContract.assertBytesSettle(zcache, "seed " + SEED);
            zcache.destroyPool(pool);
            assertEquals(0, ZcacheModelContract.settled(zcache, s -> s.allocator().objects() == 0).allocator()
                .objects(), "objects left after every page was removed: a handed-over free was lost; seed " + SEED);
        }
    }

    private static void write(final Zcache zcache, final int pool, final int thread, final AtomicLongArray issued)
    {
        final SplittableRandom random = new SplittableRandom(SEED + thread);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            for (int op = 0; op < OPS; op++)
            {
                final int index = random.nextInt(INDEXES);
                final int kind = random.nextInt(16);
                if (kind == 0)
                {
                    zcache.flushObject(pool, OID, 0, 0);
                }
                else if (kind < 4)
                {
                    zcache.flushPage(pool, OID, 0, 0, index);
                }
                else
                {
                    final long version = issued.incrementAndGet(index);
                    if (kind == 4)
                    {
                        page.fill((byte)0); // one put in sixteen is same-filled, stored as a word
                    }
                    else
                    {
                        VersionedPage.fill(page, index, version);
                    }
                    assertEquals(Zcache.STORED, zcache.put(pool, OID, 0, 0, index, page), "seed " + SEED);
                }
            }
        }
    }

    private static void read(final Zcache zcache, final int pool, final AtomicLongArray issued,
        final AtomicBoolean writing, final AtomicLong hits)
    {
        final SplittableRandom random = new SplittableRandom(SEED ^ Thread.currentThread().threadId());
        long checked = 0;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment dst = arena.allocate(4096);
            final MemorySegment zeros = arena.allocate(4096);
            while (writing.get())
            {
                final int index = random.nextInt(INDEXES);
                final long newest = issued.get(index);
                if (zcache.get(pool, OID, 0, 0, index, dst))
                {
                    if (dst.mismatch(zeros) != -1)
                    {
                        VersionedPage.check(dst, index, issued.get(index), "seed " + SEED);
                    }
                    checked++;
                }
                assertTrue(newest <= issued.get(index), "seed " + SEED);
            }
        }
        hits.addAndGet(checked);
    }
}
