package org.tmem4j.jmh.peer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;
import org.tmem4j.cli.corpus.PageCorpus;

/**
 * tmem4j's engine beside what a Java user would pick instead, in one run on the same pages of the JDK's own files:
 * Ehcache 3's off-heap tier and a {@code ConcurrentHashMap<Long, byte[]>}, both holding LZ4-compressed pages
 * (lz4-java's native compressor, as tmem4j uses). Each store is filled with every page first; {@code put}
 * replaces a stored page (compress + store + free the old one), {@code get} decompresses one into a page buffer.
 * Every store gets the same pages, {@link CommonPages} (tmem4j refuses pages that compress poorly; measuring it on
 * fewer, better-compressing pages would flatter it), and both operations walk only the pages the store held after
 * the fill, so a miss cannot pass for a fast get. One and two threads, each starting at its own share of the pages.
 * Memory per page is measured outside JMH by {@code ./tmem4j bench} ({@link PeerFootprint}).
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PeerBenchmark
{
    /** The stores under test and the pages they hold. */
    @State(Scope.Benchmark)
    public static class Stores
    {
        @Param({"tmem4j-zsmalloc", "tmem4j-zbud", "ehcache-offheap", "heap-map"})
        String store;

        @Param("8192")
        int pages;

        PageCorpus corpus;
        PageStore pageStore;
        /** The pages the store held after the fill. */
        int[] keys;

        @Setup(Level.Trial)
        public void setUp()
        {
            corpus = PageCorpus.readDefault(pages);
            final int[] common = CommonPages.of(corpus);
            pageStore = PageStore.create(store, corpus.pageCount());
            final int[] held = new int[common.length];
            int count = 0;
            for (final int key : common)
            {
                if (pageStore.put(key, page(key)))
                {
                    held[count++] = key;
                }
            }
            keys = java.util.Arrays.copyOf(held, count);
        }

        MemorySegment page(final int i)
        {
            return CommonPages.page(corpus, i);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            pageStore.close();
            corpus.close();
        }
    }

    /** One thread's place in the corpus and its page buffer. */
    @State(Scope.Thread)
    public static class Cursor
    {
        int next;
        MemorySegment dst;
        private Arena arena;

        @Setup(Level.Trial)
        public void setUp(final Stores stores, final ThreadParams thread)
        {
            arena = Arena.ofShared();
            dst = arena.allocate(PageCorpus.PAGE_SIZE, PageCorpus.PAGE_SIZE);
            next = (int)((long)stores.keys.length * thread.getThreadIndex() / thread.getThreadCount());
        }

        int advance(final int[] keys)
        {
            final int key = keys[next];
            next = next + 1 == keys.length ? 0 : next + 1;
            return key;
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            arena.close();
        }
    }

    /** @return whether the store kept the page: a page replaced, one thread. */
    @Benchmark
    @Threads(1)
    public boolean put1Thread(final Stores stores, final Cursor cursor)
    {
        return put(stores, cursor);
    }

    /** @return whether the store kept the page: a page replaced, two threads. */
    @Benchmark
    @Threads(2)
    public boolean put2Threads(final Stores stores, final Cursor cursor)
    {
        return put(stores, cursor);
    }

    /** @return whether the page was found: a page read back, one thread. */
    @Benchmark
    @Threads(1)
    public boolean get1Thread(final Stores stores, final Cursor cursor)
    {
        return get(stores, cursor);
    }

    /** @return whether the page was found: a page read back, two threads. */
    @Benchmark
    @Threads(2)
    public boolean get2Threads(final Stores stores, final Cursor cursor)
    {
        return get(stores, cursor);
    }

    private static boolean put(final Stores stores, final Cursor cursor)
    {
        final int key = cursor.advance(stores.keys);
        return stores.pageStore.put(key, stores.page(key));
    }

    private static boolean get(final Stores stores, final Cursor cursor)
    {
        return stores.pageStore.get(cursor.advance(stores.keys), cursor.dst);
    }
}
