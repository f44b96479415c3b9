package org.tmem4j.jmh.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

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
import org.openjdk.jmh.annotations.Warmup;
import org.tmem4j.alloc.AllocatorProvider;
import org.tmem4j.alloc.ObjectAllocator;
import org.tmem4j.alloc.ObjectLocation;
import org.tmem4j.cli.corpus.PageCorpus;
import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.codec.CompressorPool;
import org.tmem4j.codec.CompressorSlot;
import org.tmem4j.codec.PageChecksum;
import org.tmem4j.codec.SameFilledPage;
import org.tmem4j.concurrent.DrainGate;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.tmem.PageReader;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.tmem.Tmem;
import org.tmem4j.tmem.TmemPool;
import org.tmem4j.zcache.Zcache;

/**
 * Where a page's time goes: each step of a zcache put and get timed alone, on the same pages and at the same
 * sizes as {@code put} and {@code get} (the whole operation through the public API), so that the steps can be
 * set against the whole and the largest found. ns per page, one thread:
 * <ul>
 *   <li>codec: {@code compress}, {@code decompress} (the slot's LZ4 or zstd, into and out of its buffers);</li>
 *   <li>where the blocks lie: {@code decompress} reads each block from its own 4 KiB-aligned stride,
 *       {@code decompressPacked} from blocks back to back in page order (the study's raw codec), and
 *       {@code decompressInPlace} from where the allocator placed it (an object that lies in two runs of memory,
 *       from a copy made once before the clock starts): the same codec and blocks, so their differences are what the
 *       layout alone costs a get, before any work of the engine's own;</li>
 *   <li>same-filled check: {@code sameFilledCheck} (every put scans the page for one repeated word first);</li>
 *   <li>slot: {@code slotAcquireRelease} (the compressor pool, uncontended);</li>
 *   <li>allocate: {@code allocateFree} (an object of the page's compressed size, then freed with its size told
 *       back in the same look, as a put that replaces a page does);</li>
 *   <li>copy: {@code copyIn} (the compressed bytes into the object); {@code locate} (finding an object's bytes for a
 *       get and ending the read: in place, pinned, or for a zsmalloc object in two runs of memory copied to
 *       scratch);</li>
 *   <li>lookup + lock: {@code indexPut}, {@code indexRead} (the tmem index under its bucket monitor), and
 *       {@code monitor} (an uncontended monitor alone, the lock part of those);</li>
 *   <li>counters: {@code countersPut} (the four striped counter updates of a put), {@code countersGet} (one);</li>
 *   <li>gate: {@code gate} (the drain gate every operation enters and leaves);</li>
 *   <li>checksum: {@code checksum} (xxHash32 of the page, when checksums are on: once per put and get).</li>
 * </ul>
 * The frontswap frontend's own part (stripe lock, slot bitmaps, its counters) is {@code FrontswapOverheadBenchmark}'s,
 * the swap file's (a page refused by the engine) {@code PagedFileBenchmark}'s.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PageCostBenchmark
{
    /** Allocator, by name. */
    @Param({"zbud", "zsmalloc"})
    public String allocator;

    /** Codec, as {@link CodecSpec#parse} reads it. */
    @Param("lz4")
    public String codec;

    /** Corpus pages cycled through. */
    @Param("4096")
    public int pages;

    /** {@code jvm} (the JDK's own files), or a corpus file such as {@code scripts/db-corpus.sh} writes. */
    @Param("jvm")
    public String corpus;

    private PageCorpus pageCorpus;
    private Arena arena;
    private MemorySegment[] page;
    private MemorySegment blocks;
    private int blockStride;
    private int[] blockLength;
    /** The blocks back to back in page order, each at {@link #packedOffset}. */
    private MemorySegment packed;
    private long[] packedOffset;
    /** Where each block lies in the allocator's memory (or in {@link #gathered}, for an object in two runs). */
    private MemorySegment[] placeSegment;
    private long[] placeOffset;
    private MemorySegment gathered;
    private MemorySegment restored;
    /** One slot, held for the whole trial by the codec, copy and locate steps. */
    private CompressorPool compressors;
    private CompressorSlot slot;
    /** A pool of one slot per CPU, as the engine's, for the slot step. */
    private CompressorPool perCpu;
    private PageMemory memory;
    private ObjectAllocator objects;
    private long[] handles;
    private final ObjectLocation location = new ObjectLocation();
    private TmemPool index;
    private final Object monitor = new Object();
    private final LongAdder[] counters = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
    private final DrainGate gate = new DrainGate();
    private Zcache zcache;
    private int pool;
    private int next;

    private static final PageReader<long[]> READER = (value, sink) -> sink[0] = value;
    private final long[] readValue = new long[1];

    /** Loads the corpus; compresses, allocates, writes and indexes every page once. */
    @Setup(Level.Trial)
    public void setUp()
    {
        pageCorpus = PageCorpus.named(corpus, pages);
        arena = Arena.ofShared();
        compressors = CompressorPool.create(CodecSpec.parse(codec), 1, PageCorpus.PAGE_SIZE);
        slot = compressors.acquire();
        perCpu = CompressorPool.create(CodecSpec.parse(codec));
        final Codec raw = slot.codec();
        blockStride = raw.maxCompressedLength(PageCorpus.PAGE_SIZE);
        final MemorySegment all = arena.allocate((long)blockStride * pageCorpus.pageCount(), 64);
        final int[] allLengths = pageCorpus.compressEach(raw, all, blockStride);
        zcache = Zcache.builder().allocator(allocator).codec(codec).budgetBytes(256L << 20).build();
        pool = zcache.createPool(PoolKind.PERSISTENT, PageCorpus.PAGE_SIZE);
        // the pages the engine stores (it refuses those compressing above 7/8 of a page, or above its mean limit)
        final int[] kept = new int[allLengths.length];
        int count = 0;
        for (int p = 0; p < allLengths.length; p++)
        {
            final MemorySegment candidate = pageCorpus.segment().asSlice(pageCorpus.offset(p), PageCorpus.PAGE_SIZE);
            if (zcache.put(pool, 1, 0, 0, count, candidate) == Zcache.STORED)
            {
                kept[count++] = p;
            }
        }
        page = new MemorySegment[count];
        blockLength = new int[count];
        blocks = arena.allocate((long)blockStride * count, 64);
        restored = arena.allocate(PageCorpus.PAGE_SIZE, PageCorpus.PAGE_SIZE);
        memory = PageMemory.withBudget(256L << 20);
        objects = AllocatorProvider.named(allocator).create(memory);
        handles = new long[count];
        index = new Tmem(256).createPool(PoolKind.PERSISTENT, PageCorpus.PAGE_SIZE);
        for (int i = 0; i < count; i++)
        {
            final int p = kept[i];
            page[i] = pageCorpus.segment().asSlice(pageCorpus.offset(p), PageCorpus.PAGE_SIZE);
            blockLength[i] = allLengths[p];
            MemorySegment.copy(all, (long)p * blockStride, blocks, (long)i * blockStride, blockLength[i]);
            handles[i] = objects.allocate(blockLength[i]);
            objects.write(handles[i], blocks, (long)i * blockStride);
            index.put(1, 0, 0, i, handles[i], false);
        }
        placeBlocks(count);
    }

    /**
     * Lays the blocks out back to back for {@link #decompressPacked}, and finds where the allocator placed each for
     * {@link #decompressInPlace}; checks that every block of both layouts is the page's. The places stay valid
     * without a pin: no benchmark that reads them allocates, frees or compacts in this allocator.
     */
    private void placeBlocks(final int count)
    {
        long blockBytes = 1;
        for (int i = 0; i < count; i++)
        {
            blockBytes += blockLength[i];
        }
        packed = arena.allocate(blockBytes, 64);
        packedOffset = new long[count];
        placeSegment = new MemorySegment[count];
        placeOffset = new long[count];
        gathered = arena.allocate(blockBytes, 64);
        long packedAt = 0;
        long gatheredAt = 0;
        for (int i = 0; i < count; i++)
        {
            MemorySegment.copy(blocks, (long)i * blockStride, packed, packedAt, blockLength[i]);
            packedOffset[i] = packedAt;
            packedAt += blockLength[i];
            objects.locate(handles[i], slot.scratch(), location);
            if (location.segment() == slot.scratch())
            {
                MemorySegment.copy(slot.scratch(), 0, gathered, gatheredAt, blockLength[i]);
                placeSegment[i] = gathered;
                placeOffset[i] = gatheredAt;
                gatheredAt += blockLength[i];
            }
            else
            {
                placeSegment[i] = location.segment();
                placeOffset[i] = location.offset();
            }
            objects.unpin(location);
            expectPage(i, packed, packedOffset[i], "packed");
            expectPage(i, placeSegment[i], placeOffset[i], "in place");
        }
    }

    private void expectPage(final int i, final MemorySegment segment, final long offset, final String layout)
    {
        final int length = slot.codec().decompress(segment, offset, blockLength[i], restored, 0, PageCorpus.PAGE_SIZE);
        if (length != PageCorpus.PAGE_SIZE || restored.mismatch(page[i]) != -1)
        {
            throw new IllegalStateException("page " + i + " " + layout + " did not decompress to itself");
        }
    }

    /** Frees everything. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        zcache.close();
        slot.close();
        compressors.close();
        perCpu.close();
        objects.close();
        memory.close();
        arena.close();
        pageCorpus.close();
    }

    private int nextPage()
    {
        final int i = next;
        next = i + 1 == page.length ? 0 : i + 1;
        return i;
    }

    /** The whole put through the public API (replacing the page's previous copy). */
    @Benchmark
    public int put()
    {
        final int i = nextPage();
        return zcache.put(pool, 1, 0, 0, i, page[i]);
    }

    /** The whole get through the public API (the page stays). */
    @Benchmark
    public boolean get()
    {
        return zcache.get(pool, 1, 0, 0, nextPage(), restored);
    }

    /** Codec: one page compressed into the slot's output. */
    @Benchmark
    public int compress()
    {
        return slot.compress(page[nextPage()], 0, PageCorpus.PAGE_SIZE);
    }

    /** Codec: one page decompressed. */
    @Benchmark
    public int decompress()
    {
        final int i = nextPage();
        return slot.codec().decompress(blocks, (long)i * blockStride, blockLength[i], restored, 0,
            PageCorpus.PAGE_SIZE);
    }

    /** Codec: one page decompressed from blocks laid back to back in page order. */
    @Benchmark
    public int decompressPacked()
    {
        final int i = nextPage();
        return slot.codec().decompress(packed, packedOffset[i], blockLength[i], restored, 0, PageCorpus.PAGE_SIZE);
    }

    /** Codec: one page decompressed from where the allocator placed its block. */
    @Benchmark
    public int decompressInPlace()
    {
        final int i = nextPage();
        return slot.codec().decompress(placeSegment[i], placeOffset[i], blockLength[i], restored, 0,
            PageCorpus.PAGE_SIZE);
    }

    /** The scan for a page of one repeated word that every put makes first. */
    @Benchmark
    public boolean sameFilledCheck()
    {
        return SameFilledPage.isSameFilled(page[nextPage()], 0, PageCorpus.PAGE_SIZE);
    }

    /** A compressor slot taken and given back, uncontended. */
    @Benchmark
    public int slotAcquireRelease()
    {
        try (CompressorSlot held = perCpu.acquire())
        {
            return held.index();
        }
    }

    /** An object of the page's compressed size allocated and freed. */
    @Benchmark
    public long allocateFree()
    {
        final long handle = objects.allocate(blockLength[nextPage()]);
        return handle + objects.sizeAndFree(handle);
    }

    /** The compressed bytes copied into their object. */
    @Benchmark
    public long copyIn()
    {
        final int i = nextPage();
        objects.write(handles[i], blocks, (long)i * blockStride);
        return handles[i];
    }

    /**
     * Finding an object's bytes for a get and ending the read: zbud answers in place; zsmalloc pins an object that
     * lies in one run of memory (and copies one that does not to scratch).
     */
    @Benchmark
    public long locate()
    {
        objects.locate(handles[nextPage()], slot.scratch(), location);
        final long offset = location.offset();
        objects.unpin(location);
        return offset;
    }

    /** The index: a page's value replaced under its bucket monitor. */
    @Benchmark
    public long indexPut()
    {
        final int i = nextPage();
        return index.put(1, 0, 0, i, handles[i], false);
    }

    /** The index: a page's value read under its bucket monitor. */
    @Benchmark
    public long indexRead()
    {
        index.read(1, 0, 0, nextPage(), READER, readValue);
        return readValue[0];
    }

    /** An uncontended monitor entered and left: the lock part of the index operations. */
    @Benchmark
    public int monitor()
    {
        synchronized (monitor)
        {
            return next;
        }
    }

    /** The striped counters a stored put updates: stored puts, the pool's bytes, the persistent mean's two. */
    @Benchmark
    public void countersPut()
    {
        final int i = nextPage();
        counters[0].increment();
        counters[1].add(blockLength[i]);
        counters[2].add(blockLength[i]);
        counters[3].increment();
    }

    /** The striped counter a hit updates. */
    @Benchmark
    public void countersGet()
    {
        counters[0].increment();
    }

    /** The drain gate every operation enters and leaves (what closing the engine waits on). */
    @Benchmark
    public boolean gate()
    {
        final boolean entered = gate.enter();
        gate.exit();
        return entered;
    }

    /** xxHash32 of the page: once per put and once per get when checksums are on. */
    @Benchmark
    public int checksum()
    {
        return PageChecksum.of(page[nextPage()], 0, PageCorpus.PAGE_SIZE);
    }
}
