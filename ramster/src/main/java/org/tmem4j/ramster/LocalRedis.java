package org.tmem4j.ramster;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway {@code redis-server} on a free loopback port, in its own temporary directory: what
 * {@code ./tmem4j study --backend ramster} starts when it is given no Redis, and what the tests run against.
 * <p>
 * The server binds {@code 127.0.0.1} only, never snapshots ({@code --save ''}), and keeps an append-only file when
 * asked to ({@code appendfsync always}, the persistent tier's requirement). {@link #kill()} sends {@code SIGKILL} and
 * {@link #start()} brings the server back on the same port and directory, so a test can kill it mid-traffic and
 * watch it restore its AOF. {@link #close()} kills it and deletes the directory. Every wait is bounded.
 * <p>
 * {@code redis-server} must be on the {@code PATH}; {@code .ci/install-redis} installs Debian's {@code redis-server}
 * and {@code redis-tools} when it is not.
 */
public final class LocalRedis implements AutoCloseable
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int PORT_ATTEMPTS = 8;
    private static final int CLUSTER_BUS_OFFSET = 10_000;
    private static final long NOT_ANSWERING = -1;
    private static final long ANSWERS_WITHOUT_PID = 0;

    private final Path dir;
    private final List<String> settings;
    private final boolean cluster;
    private int port;
    private Process process;

    private LocalRedis(final Path dir, final List<String> settings, final boolean cluster)
    {
        this.dir = dir;
        this.settings = settings;
        this.cluster = cluster;
    }

    /**
     * {@return a builder for a server with no AOF, no memory limit and cluster mode off}
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Starts the server: on a new free port the first time, on the same port and directory (replaying its AOF, if
     * any) after {@link #kill()} or {@link #stop()}.
     *
     * @return this server.
     * @throws IllegalStateException if it is running, or did not answer within 20 seconds, or its port
     *                               was taken by another {@code redis-server}.
     */
    public synchronized LocalRedis start()
    {
        if (process != null && process.isAlive())
        {
            throw new IllegalStateException("redis-server on port " + port + " is running already");
        }
        if (port != 0)
        {
            launch(port);
            return this;
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++)
        {
            final int candidate = freePort();
            try
            {
                launch(candidate);
                port = candidate;
                return this;
            }
            catch (final IllegalStateException ex)
            {
                // another process may have taken the port between the probe and the bind: try another one
                last = ex;
            }
        }
        throw last;
    }

    /**
     * Kills the server with {@code SIGKILL}: no shutdown, no final fsync. {@link #start()} restarts it.
     */
    public synchronized void kill()
    {
        if (process != null)
        {
            process.destroyForcibly();
            awaitExit(process);
            process = null;
        }
    }

    /**
     * Stops the server with {@code SIGTERM} (a clean shutdown); {@link #start()} restarts it.
     */
    public synchronized void stop()
    {
        if (process != null)
        {
            process.destroy();
            awaitExit(process);
            process = null;
        }
    }

    /**
     * {@return whether the server process is running}
     */
    public synchronized boolean isRunning()
    {
        return process != null && process.isAlive();
    }

    /**
     * {@return the loopback port the server listens on}
     */
    public synchronized int port()
    {
        return port;
    }

    /**
     * {@return {@code redis://127.0.0.1:PORT}}
     */
    public String uri()
    {
        return "redis://127.0.0.1:" + port();
    }

    /**
     * {@return the server's working directory (its AOF and log)}
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * Sends one command as the default user over a new connection and returns the reply.
     *
     * @param args the command and its arguments, e.g. {@code "CONFIG", "SET", "maxmemory", "1mb"}; each character
     *             is sent as one byte (ISO-8859-1), so binary values pass through unchanged.
     * @return the reply in RESP form without the type byte: a status, an error starting with {@code -}, an integer,
     * a bulk string, or the elements of an array joined by newlines.
     * @throws UncheckedIOException if the server cannot be reached.
     */
    public String command(final String... args)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()), 5_000);
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            final StringBuilder request = new StringBuilder().append('*').append(args.length).append("\r\n");
            for (final String arg : args)
            {
                request.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return readReply(new BufferedInputStream(socket.getInputStream()));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("redis-server on port " + port() + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Kills the server and deletes its directory.
     */
    @Override
    public synchronized void close()
    {
        kill();
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path path : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + dir, ex);
        }
    }

    @Override
    public String toString()
    {
        return "LocalRedis{" + uri() + ", dir=" + dir + "}";
    }

    private void launch(final int candidate)
    {
        if (cluster && !portIsFree(candidate + CLUSTER_BUS_OFFSET))
        {
            throw new IllegalStateException("cluster bus port " + (candidate + CLUSTER_BUS_OFFSET) + " is taken");
        }
        final List<String> command = new ArrayList<>(List.of(redisServer(), "--port", Integer.toString(candidate),
            "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--daemonize", "no",
            "--logfile", "redis.log"));
        command.addAll(settings);
        final Process started;
        try
        {
            started = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + command, ex);
        }
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline)
        {
            if (!started.isAlive())
            {
                throw new IllegalStateException("redis-server on port " + candidate + " exited with "
                    + started.exitValue() + ": " + logTail());
            }
            final long answeringPid = answeringPid(candidate);
            if (answeringPid == started.pid() || answeringPid == ANSWERS_WITHOUT_PID)
            {
                process = started;
                return;
            }
            if (answeringPid > 0)
            {
                started.destroyForcibly();
                awaitExit(started);
                throw new IllegalStateException("port " + candidate + " is taken by another redis-server, process "
                    + answeringPid);
            }
            sleep(20);
        }
        started.destroyForcibly();
        awaitExit(started);
        throw new IllegalStateException("redis-server on port " + candidate + " did not answer within "
            + START_TIMEOUT.toSeconds() + " s: " + logTail());
    }

    /**
     * Asks whoever listens on the port for its process id, so that a server another test started on a port that was
     * free a moment ago is never taken for this one.
     *
     * @return the answering server's process id; {@link #ANSWERS_WITHOUT_PID} for a server that wants a password
     * first; {@link #NOT_ANSWERING} if nothing answers yet, or the server is still loading its AOF.
     */
    private static long answeringPid(final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            socket.setSoTimeout(1_000);
            // INFO is answered while the AOF loads; PING is not, until it is loaded
            socket.getOutputStream().write("INFO server\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            final String info = readReply(in);
            if (info.startsWith("-NOAUTH"))
            {
                return ANSWERS_WITHOUT_PID;
            }
            if (!readReply(in).equals("PONG"))
            {
                return NOT_ANSWERING;
            }
            for (final String line : info.split("\r?\n"))
            {
                if (line.startsWith("process_id:"))
                {
                    return Long.parseLong(line.substring("process_id:".length()).trim());
                }
            }
            return NOT_ANSWERING;
        }
        catch (final IOException | NumberFormatException ex)
        {
            return NOT_ANSWERING;
        }
    }

    private static String readReply(final InputStream in) throws IOException
    {
        final String line = readLine(in);
        if (line.isEmpty())
        {
            throw new IOException("empty reply");
        }
        return switch (line.charAt(0))
        {
            case '+', ':' -> line.substring(1);
            case '-' -> line;
            case '$' -> readBulk(in, Integer.parseInt(line.substring(1)));
            case '*' ->
            {
                final int count = Integer.parseInt(line.substring(1));
                final List<String> elements = new ArrayList<>();
                for (int i = 0; i < count; i++)
                {
                    elements.add(readReply(in));
                }
                yield String.join("\n", elements);
            }
            default -> throw new IOException("unexpected reply: " + line);
        };
    }

    private static String readBulk(final InputStream in, final int length) throws IOException
    {
        if (length < 0)
        {
            return "";
        }
        final byte[] bytes = in.readNBytes(length + 2);
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n')
        {
            if (b < 0)
            {
                throw new IOException("connection closed");
            }
            if (b != '\r')
            {
                line.append((char)b);
            }
        }
        return line.toString();
    }

    private String logTail()
    {
        try
        {
            final Path log = dir.resolve("redis.log");
            final Path out = dir.resolve("stdout.log");
            final List<String> lines = new ArrayList<>();
            for (final Path path : List.of(out, log))
            {
                if (Files.exists(path))
                {
                    lines.addAll(Files.readAllLines(path));
                }
            }
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 6), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    private static String redisServer()
    {
        final String path = System.getenv("PATH");
        if (path != null)
        {
            for (final String entry : path.split(java.io.File.pathSeparator))
            {
                final Path candidate = Path.of(entry, "redis-server");
                if (Files.isExecutable(candidate))
                {
                    return candidate.toString();
                }
            }
        }
        throw new IllegalStateException("redis-server is not on the PATH; install it with .ci/install-redis "
            + "(apt-get install -y redis-server redis-tools)");
    }

    private static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("no free loopback port", ex);
        }
    }

    private static boolean portIsFree(final int port)
    {
        if (port > 65_535)
        {
            return false;
        }
        try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getLoopbackAddress()))
        {
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void awaitExit(final Process process)
    {
        try
        {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", ex);
        }
    }

    /**
     * Settings of a {@link LocalRedis}.
     */
    public static final class Builder
    {
        private final List<String> settings = new ArrayList<>();
        private boolean cluster;

        private Builder()
        {
        }

        /**
         * Keeps an append-only file fsynced after every write ({@code appendonly yes}, {@code appendfsync always}):
         * what the persistent tier requires.
         *
         * @return this builder.
         */
        public Builder durable()
        {
            return setting("appendonly", "yes").setting("appendfsync", "always");
        }

        /**
         * Caps the server's memory and sets what it does when full.
         *
         * @param bytes     {@code maxmemory}.
         * @param policy    {@code maxmemory-policy}, e.g. {@code noeviction} or {@code allkeys-lru}.
         * @return this builder.
         */
        public Builder maxMemory(final long bytes, final String policy)
        {
            if (bytes <= 0)
            {
                throw new IllegalArgumentException("maxmemory must be positive, was " + bytes);
            }
            return setting("maxmemory", Long.toString(bytes)).setting("maxmemory-policy", policy);
        }

        /**
         * Runs the server in cluster mode ({@code cluster-enabled yes}); its cluster bus port (port + 10000) must be
         * free too.
         *
         * @return this builder.
         */
        public Builder cluster()
        {
            cluster = true;
            return setting("cluster-enabled", "yes").setting("cluster-config-file", "nodes.conf")
                .setting("cluster-node-timeout", "2000");
        }

        /**
         * Adds any other server directive.
         *
         * @param name  a {@code redis.conf} directive, e.g. {@code maxclients}.
         * @param value its value.
         * @return this builder.
         */
        public Builder setting(final String name, final String value)
        {
            if (name == null || name.isBlank())
            {
                throw new IllegalArgumentException("setting name is blank");
            }
            settings.add("--" + name);
            settings.add(value == null ? "" : value);
            return this;
        }

        /**
         * Creates the directory and starts the server.
         *
         * @return the running server.
         */
        public LocalRedis start()
        {
            final Path dir;
            try
            {
                dir = Files.createTempDirectory("tmem4j-redis-");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create a directory for redis-server", ex);
            }
            final LocalRedis redis = new LocalRedis(dir, List.copyOf(settings), cluster);
            try
            {
                return redis.start();
            }
            catch (final RuntimeException ex)
            {
                redis.close();
                throw ex;
            }
        }
    }
}
