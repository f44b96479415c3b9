package org.tmem4j.jmh.frontend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

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
import org.tmem4j.cli.Tmem4jCommand;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.zcache.ZcacheBackend;
import org.tmem4j.host.HostBackend;
import org.tmem4j.host.HostConfig;
import org.tmem4j.host.HostDaemon;

/**
 * A put and a get through the host daemon against the same through an in-process zcache, on the same pages (256
 * pages from 32 MiB into the JDK's {@code lib/modules}, the study's corpus, past its sparse header): the cost of
 * the round trip over the shared region (and the socket, where a side sleeps), sampled for p50/p99.
 * <ul>
 *   <li>{@code host}: the daemon runs in the benchmark's JVM (its own threads, the real socket and region);</li>
 *   <li>{@code host-process}: the daemon is {@code ./tmem4j host} in a JVM of its own, as deployed: no shared
 *       heap, GC or JIT threads with the client.</li>
 * </ul>
 * {@code -p gapMicros=200} pauses before each call, so that each request finds the daemon asleep: the cost of the
 * wake-up path. {@link HandoffEvents} counts, per iteration, how the waits went on each side: spun (the other side's move came
 * while spinning) or slept (the spin ran out and a wake-up byte was needed); the daemon's only in {@code host}.
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
    private static final long BUDGET = 64L << 20;
    private static final long DAEMON_START_MILLIS = 60_000;

    @Param({"zcache", "host", "host-process"})
    public String backend;

    /**
     * A pause before each call, outside the measured time, like an application that does other work between its
     * calls: longer than the daemon's spin ({@code tmem4j.host.spinMicros}, 50 µs) and every request finds its
     * daemon thread asleep and pays a wake-up ({@code -p gapMicros=200}); 0 calls back to back.
     */
    @Param({"0"})
    public int gapMicros;

    private Path dir;
    private HostDaemon daemon;
    private Process daemonProcess;
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
    public void setUp() throws IOException, InterruptedException
    {
        dir = Files.createTempDirectory("tmem4j-host-bench");
        final Path socket = dir.resolve("d").resolve(HostDaemon.SOCKET_NAME);
        final FrontendsConfig config = FrontendsConfig.builder().hostSocket(socket).budgetBytes(BUDGET).build();
        switch (backend)
        {
            case "zcache" -> store = ZcacheBackend.create(config);
            case "host" ->
            {
                daemon = HostDaemon.start(config, HostConfig.defaults());
                store = HostBackend.connect(daemon.socket(), 4);
            }
            case "host-process" -> store = startDaemonProcess(socket);
            default -> throw new IllegalArgumentException("backend must be zcache, host or host-process, got "
                + backend);
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
     * Starts {@code ./tmem4j host} in a JVM of its own and connects once it listens.
     */
    private HostBackend startDaemonProcess(final Path socket) throws IOException, InterruptedException
    {
        final Path log = dir.resolve("daemon.log");
        daemonProcess = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            Tmem4jCommand.class.getName(), "host", "--socket", socket.toString(), "--budget", Long.toString(BUDGET))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DAEMON_START_MILLIS);
        while (true)
        {
            if (!daemonProcess.isAlive() || System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the host daemon process did not come up at " + socket + ": "
                    + Files.readString(log));
            }
            if (Files.readString(log).contains("listening at"))
            {
                return HostBackend.connect(socket, 4);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Pauses before a call when {@link #gapMicros} asks for it (not measured).
     */
    @Setup(Level.Invocation)
    public void pause()
    {
        if (gapMicros > 0)
        {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(gapMicros));
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
        if (daemonProcess != null)
        {
            // SIGTERM: the daemon stops cleanly and removes its socket
            daemonProcess.destroy();
            if (!daemonProcess.waitFor(30, TimeUnit.SECONDS))
            {
                daemonProcess.destroyForcibly().waitFor();
            }
        }
        arena.close();
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(HostRoundTripBenchmark::delete);
        }
    }

    private static void delete(final Path file)
    {
        try
        {
            Files.delete(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param handoffs counts the handoffs of the iteration.
     * @return the put's result (a page replaced in place).
     */
    @Benchmark
    public int put(final HandoffEvents handoffs)
    {
        final int i = next++ & (PAGES - 1);
        return store.put(pool, 0, 0, 0, i, page(i));
    }

    /**
     * @param handoffs counts the handoffs of the iteration.
     * @return whether the page was there (always).
     */
    @Benchmark
    public boolean get(final HandoffEvents handoffs)
    {
        return store.get(pool, 0, 0, 0, next++ & (PAGES - 1), dst);
    }

    private MemorySegment page(final int i)
    {
        return pages.asSlice((long)i * 4096, 4096);
    }

    /**
     * {@return the host client, or {@code null} for the in-process zcache}
     */
    HostBackend hostBackend()
    {
        return store instanceof HostBackend host ? host : null;
    }

    /**
     * {@return the in-JVM daemon, or {@code null}}
     */
    HostDaemon daemon()
    {
        return daemon;
    }
}
