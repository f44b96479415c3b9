package org.tmem4j.jmh.frontend;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.zcache.ZcacheBackend;
import org.tmem4j.host.HostBackend;
import org.tmem4j.host.HostConfig;
import org.tmem4j.host.HostDaemon;

/**
 * A put and a get through the host daemon against the same through an in-process zcache, on the same pages (256
 * pages from 32 MiB into the JDK's {@code lib/modules}, the study's corpus, past its sparse header): the cost of
 * the round trip over the socket and the shared region, sampled for p50/p99. The daemon runs in the benchmark's JVM (its own threads,
 * the real socket), so both sides share the same cores.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class HostRoundTripBenchmark
{
    private static final int PAGES = 256;
    private static final long CORPUS_OFFSET = 32L << 20;

    @Param({"zcache", "host"})
    public String backend;

    private Path dir;
    private HostDaemon daemon;
    private Backend store;
    private Arena arena;
    private MemorySegment pages;
    private MemorySegment dst;
    private int pool;
    private int next;

    /**
     * Starts the store and fills it with the pages.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        dir = Files.createTempDirectory("tmem4j-host-bench");
        final FrontendsConfig config = FrontendsConfig.builder().hostSocket(dir.resolve("d/host.sock"))
            .budgetBytes(64L << 20).build();
        if ("host".equals(backend))
        {
            daemon = HostDaemon.start(config, HostConfig.defaults());
            store = HostBackend.connect(daemon.socket(), 4);
        }
        else
        {
            store = ZcacheBackend.create(config);
        }
        arena = Arena.ofShared();
        pages = arena.allocate((long)PAGES * 4096);
        try (FileChannel modules = FileChannel.open(Path.of(System.getProperty("java.home"), "lib", "modules"),
            StandardOpenOption.READ))
        {
            pages.copyFrom(modules.map(FileChannel.MapMode.READ_ONLY, CORPUS_OFFSET, pages.byteSize(), arena));
        }
        dst = arena.allocate(4096);
        pool = store.createPersistentPool(4096);
        for (int i = 0; i < PAGES; i++)
        {
            store.put(pool, 0, 0, 0, i, page(i));
        }
    }

    /**
     * Closes the store (and the daemon).
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        ((AutoCloseable)store).close();
        if (daemon != null)
        {
            daemon.close();
        }
        arena.close();
        Files.deleteIfExists(dir.resolve("d"));
        Files.deleteIfExists(dir);
    }

    /**
     * @return the put's result (a page replaced in place).
     */
    @Benchmark
    public int put()
    {
        final int i = next++ & (PAGES - 1);
        return store.put(pool, 0, 0, 0, i, page(i));
    }

    /**
     * @return whether the page was there (always).
     */
    @Benchmark
    public boolean get()
    {
        return store.get(pool, 0, 0, 0, next++ & (PAGES - 1), dst);
    }

    private MemorySegment page(final int i)
    {
        return pages.asSlice((long)i * 4096, 4096);
    }
}
