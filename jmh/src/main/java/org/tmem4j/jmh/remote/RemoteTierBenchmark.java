package org.tmem4j.jmh.remote;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.annotations.Warmup;
import org.tmem4j.cli.corpus.PageCorpus;
import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.ramster.Durability;
import org.tmem4j.ramster.LocalRedis;
import org.tmem4j.ramster.RedisEndpoint;
import org.tmem4j.ramster.RedisPageStore;
import org.tmem4j.ramster.RemoteNamespace;
import org.tmem4j.ramster.RemotePage;

/**
 * The remote tier on a throwaway loopback {@code redis-server}: latency of one remote get and of a 32-page batch
 * (one {@code HMGET}), and remotify throughput (acknowledged puts per second; the persistent endpoint fsyncs its AOF
 * on every write). Pages are LZ4-compressed pages of the default {@link PageCorpus}, 32 per object. Setup prints
 * Redis's memory per page ({@code INFO memory} {@code used_memory}) for these values against the same pages stored
 * raw, 4 KiB each, one string key per page: the way applications cache pages in Redis today.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class RemoteTierBenchmark
{
    private static final int PAGES_PER_OBJECT = 32;

    /** Which endpoint: {@code ephemeral} (allkeys-lru, no AOF) or {@code persistent} (noeviction, AOF always). */
    @Param({"ephemeral", "persistent"})
    public String durability;

    /** Corpus pages stored remotely before measuring. */
    @Param("4096")
    public int pages;

    /**
     * The pages: {@code default} (the running JDK's {@code lib/modules} and {@code libjvm.so}) or a file, e.g. a heap
     * dump ({@code jcmd PID GC.heap_dump FILE}) for JVM-heap pages.
     */
    @Param("default")
    public String corpus;

    private LocalRedis redis;
    private RedisPageStore store;
    private PageCorpus pageCorpus;
    private Arena arena;
    private MemorySegment[] compressed;
    private final RemoteNamespace namespace = RemoteNamespace.ofPrivatePool("bench", 0);
    private final RemoteNamespace putNamespace = RemoteNamespace.ofPrivatePool("bench", 1);
    private final int[] batch = new int[PAGES_PER_OBJECT];

    /** Starts Redis, stores the corpus, and prints memory per page against raw pages. */
    @Setup(Level.Trial)
    public void setUp()
    {
        final boolean persistent = durability.equals("persistent");
        final LocalRedis.Builder builder = LocalRedis.builder();
        redis = persistent ? builder.durable().maxMemory(1L << 30, "noeviction").start()
            : builder.maxMemory(1L << 30, "allkeys-lru").start();
        store = RedisPageStore.open(RedisEndpoint.of(redis.uri(), persistent ? Durability.PERSISTENT
            : Durability.EPHEMERAL).withCommandTimeout(Duration.ofSeconds(5)));
        pageCorpus = corpus.equals("default") ? PageCorpus.readDefault(pages)
            : PageCorpus.read(List.of(Path.of(corpus)), pages);
        arena = Arena.ofShared();
        compressed = new MemorySegment[pageCorpus.pageCount()];
        try (Codec codec = CodecSpec.parse("lz4").newCodec())
        {
            final MemorySegment out = arena.allocate(codec.maxCompressedLength(PageCorpus.PAGE_SIZE));
            for (int i = 0; i < compressed.length; i++)
            {
                final int length = codec.compress(pageCorpus.segment(), pageCorpus.offset(i), PageCorpus.PAGE_SIZE, out, 0,
                    (int)out.byteSize());
                compressed[i] = arena.allocate(length);
                MemorySegment.copy(out, 0, compressed[i], 0, length);
            }
        }
        final long before = store.usedMemoryBytes();
        long payload = 0;
        for (int i = 0; i < compressed.length; i++)
        {
            require(store.put(namespace, i / PAGES_PER_OBJECT, 0, 0, i % PAGES_PER_OBJECT, 1, PageCorpus.PAGE_SIZE,
                compressed[i]));
            payload += compressed[i].byteSize();
        }
        final long ours = store.usedMemoryBytes() - before;
        final long rawBefore = store.usedMemoryBytes();
        final byte[] raw = new byte[PageCorpus.PAGE_SIZE];
        for (int i = 0; i < compressed.length; i++)
        {
            MemorySegment.copy(pageCorpus.segment(), pageCorpus.offset(i), MemorySegment.ofArray(raw), 0, raw.length);
            redis.command("SET", "raw:" + i, new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        final long rawBytes = store.usedMemoryBytes() - rawBefore;
        System.out.printf("%n%s Redis memory per page: %.0f B (payload %.0f B) vs raw 4 KiB page %.0f B: %.3fx%n",
            durability, (double)ours / compressed.length, (double)payload / compressed.length,
            (double)rawBytes / compressed.length, (double)ours / rawBytes);
        for (int i = 0; i < compressed.length; i++)
        {
            redis.command("DEL", "raw:" + i);
        }
        for (int i = 0; i < batch.length; i++)
        {
            batch[i] = i;
        }
    }

    /** Stops Redis and frees the corpus. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        store.close();
        redis.close();
        arena.close();
        pageCorpus.close();
    }

    /**
     * @return one page, one round trip.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public RemotePage getOne()
    {
        final int page = ThreadLocalRandom.current().nextInt(compressed.length);
        return store.get(namespace, page / PAGES_PER_OBJECT, 0, 0, page % PAGES_PER_OBJECT, false);
    }

    /**
     * @return the 32 pages of one object, one round trip.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public RemotePage[] getBatch32()
    {
        final int object = ThreadLocalRandom.current().nextInt(compressed.length / PAGES_PER_OBJECT);
        return store.getAll(namespace, object, 0, 0, batch, false);
    }

    /**
     * @return the put's answer: pages remotified (acknowledged) per second.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int remotify()
    {
        final int page = ThreadLocalRandom.current().nextInt(compressed.length);
        return require(store.put(putNamespace, page / PAGES_PER_OBJECT, 0, 0, page % PAGES_PER_OBJECT, 1,
            PageCorpus.PAGE_SIZE, compressed[page]));
    }

    private static int require(final int answer)
    {
        if (answer != RedisPageStore.STORED)
        {
            throw new IllegalStateException("remote put failed: " + RedisPageStore.failureOf(answer));
        }
        return answer;
    }
}
