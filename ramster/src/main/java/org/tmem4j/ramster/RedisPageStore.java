package org.tmem4j.ramster;

import java.lang.foreign.MemorySegment;
import java.nio.CharBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StaticCredentialsProvider;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.tmem4j.stats.CounterSource;

/**
 * Compressed pages in one Redis (standalone or Cluster), through Lettuce: the remote memory under ramster.
 * <p>
 * <b>Layout.</b> One hash per tmem object ({@link RemoteNamespace}), one field per page, each value a
 * {@link RemotePage} (codec id, page size, CRC32C, payload). Dropping an object is one {@code DEL}; dropping a pool
 * {@code SCAN}s its namespace (every master of a Cluster) and unlinks what it finds, never {@code KEYS}.
 * <p>
 * <b>Calls.</b> Every operation is one round trip (a batch of pages of one object is one {@code HMGET}) and waits
 * at most the endpoint's command timeout. Lettuce keeps the commands of one connection in order, so the operations
 * one caller makes on one key reach Redis in the order they were made. Failures are answered, not thrown: a put
 * returns a negative code ({@link #failureOf(int)}), a get returns {@link #FAILED}; each is counted by kind
 * ({@link RemoteFailure}). A value that fails its checksum is counted as {@link RemoteFailure#CORRUPT}, deleted, and
 * answered as a miss.
 * <p>
 * <b>Circuit breaker.</b> A timeout or a lost connection opens it: operations are then bypassed at once (answered as
 * failures without a round trip) until the probe interval passes and one operation goes through as the probe.
 * Lettuce reconnects in the background; a standalone Redis's commands are rejected while disconnected, so a dead
 * Redis fails fast (a Cluster's node connections open lazily, so there a dead node costs one timeout).
 * <p>
 * <b>Connecting.</b> A Redis that refuses the credentials, or a persistent endpoint whose Redis could drop pages
 * (any {@code maxmemory-policy} but {@code noeviction}, no AOF, or {@code appendfsync} other than {@code always},
 * on any master), is refused at once with an {@link IllegalStateException} saying what to change; a connect that
 * failed without saying that Redis refused it asks Redis about the credentials on a plain connection of its own,
 * since Lettuce may report a refused handshake as a closed connection. A Redis that is not reachable is not an
 * error: the store starts bypassed, with {@link #connectionProblem()} saying why, and a background thread retries
 * (and re-checks) every probe interval.
 */
public final class RedisPageStore implements AutoCloseable
{
    /** {@link #put}: the page is stored and acknowledged. */
    public static final int STORED = 0;
    /** What {@link #get} answers when the page could not be read (a failure, not a miss). */
    public static final RemotePage FAILED = new RemotePage(-1, 0, new byte[0]);

    private static final long TIMEOUT_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int SCAN_BATCH = 500;

    private final RedisEndpoint endpoint;
    private final ClientResources resources;
    private final RedisClient standalone;
    private final RedisClusterClient cluster;
    private final CircuitBreaker breaker;
    private final RemoteCounters counters = new RemoteCounters();
    private final ScheduledExecutorService reconnector;
    private final long timeoutNanos;
    private volatile Connected connected;
    private volatile String connectionProblem;
    private volatile boolean closed;

    private record Connected(StatefulConnection<byte[], byte[]> connection,
        RedisClusterAsyncCommands<byte[], byte[]> async, RedisClusterCommands<byte[], byte[]> sync)
    {
    }

    private RedisPageStore(final RedisEndpoint endpoint)
    {
        this.endpoint = endpoint;
        this.timeoutNanos = endpoint.commandTimeout().toNanos();
        this.breaker = new CircuitBreaker(endpoint.probeInterval().toNanos());
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        final SocketOptions socket = SocketOptions.builder().connectTimeout(endpoint.connectTimeout()).build();
        final TimeoutOptions timeouts = TimeoutOptions.enabled(endpoint.commandTimeout());
        if (endpoint.isCluster())
        {
            this.standalone = null;
            this.cluster = RedisClusterClient.create(resources, endpoint.redisUris());
            cluster.setOptions(ClusterClientOptions.builder()
                .socketOptions(socket)
                .timeoutOptions(timeouts)
                // connections to the nodes open lazily: rejecting while disconnected would refuse each node's
                // first command, so a dead node costs the timeout and then the breaker
                .maxRedirects(5)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers()
                    .enablePeriodicRefresh(Duration.ofSeconds(10))
                    .build())
                .build());
        }
        else
        {
            this.cluster = null;
            this.standalone = RedisClient.create(resources, endpoint.redisUris().getFirst());
            standalone.setOptions(ClientOptions.builder()
                .socketOptions(socket)
                .timeoutOptions(timeouts)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        }
        this.reconnector = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "tmem4j-redis-connect-" + endpoint.durability()
                .name().toLowerCase(Locale.ROOT));
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects to the endpoint and checks that its Redis suits the endpoint's durability.
     *
     * @param endpoint where Redis is and what it must keep.
     * @return the store; if Redis was not reachable it starts bypassed and keeps trying.
     * @throws IllegalStateException    if Redis refused the credentials or could drop persistent pages.
     * @throws IllegalArgumentException if the endpoint is null.
     */
    public static RedisPageStore open(final RedisEndpoint endpoint)
    {
        if (endpoint == null)
        {
            throw new IllegalArgumentException("endpoint is null");
        }
        final RedisPageStore store = new RedisPageStore(endpoint);
        try
        {
            if (!store.tryConnect())
            {
                store.breaker.open();
                store.scheduleReconnect();
            }
            return store;
        }
        catch (final RuntimeException ex)
        {
            store.close();
            throw ex;
        }
    }

    /**
     * {@return the endpoint}
     */
    public RedisEndpoint endpoint()
    {
        return endpoint;
    }

    /**
     * {@return why the store is not connected, or {@code null} when it is}
     */
    public String connectionProblem()
    {
        return connectionProblem;
    }

    /**
     * {@return whether operations are being bypassed (Redis down, slow, or not yet reached)}
     */
    public boolean isBypassed()
    {
        return breaker.isOpen();
    }

    /**
     * Stores a page, replacing any older copy, and returns once Redis acknowledged it: the master that holds the
     * page's slot, and, when the endpoint requires {@linkplain RedisEndpoint#replicas() replicas}, that many of its
     * replicas ({@code WAIT n timeout} pipelined behind the {@code HSET} on the master's own connection, so it
     * counts exactly that write). A master's acknowledgement under {@code appendfsync always} survives a restart
     * of that master; only a replica's survives its failover, since replication is asynchronous.
     *
     * @param namespace the pool's namespace.
     * @param a         object id, first word.
     * @param b         object id, second word.
     * @param c         object id, third word.
     * @param index     page index.
     * @param codecId   what the payload is compressed with, 0 to 255.
     * @param pageSize  the page size in bytes.
     * @param payload   the compressed page.
     * @return {@link #STORED}, or a negative code ({@link #failureOf(int)}); a failed put leaves any older copy in
     * place, so the caller must not count on it being gone.
     */
    public int put(final RemoteNamespace namespace, final long a, final long b, final long c, final int index,
        final int codecId, final int pageSize, final MemorySegment payload)
    {
        if (codecId < 0 || codecId > 255)
        {
            throw new IllegalArgumentException("codecId must be from 0 to 255, was " + codecId);
        }
        final byte[] key = namespace.objectKey(a, b, c);
        final byte[] field = RemoteNamespace.field(index);
        final byte[] value = RemotePage.encode(key, field, codecId, pageSize, payload);
        final int replicas = endpoint.replicas();
        final Object reply = call(commands -> replicas == 0 ? commands.hset(key, field, value)
            : hsetAndWait(commands, key, field, value, replicas));
        if (reply instanceof RemoteFailure failure)
        {
            return code(failure);
        }
        if (replicas > 0 && (Long)reply < replicas)
        {
            return code(failed(RemoteFailure.UNREPLICATED));
        }
        counters.puts.increment();
        counters.putBytes.add(value.length);
        return STORED;
    }

    /**
     * Reads a page.
     *
     * @param namespace the pool's namespace.
     * @param a         object id, first word.
     * @param b         object id, second word.
     * @param c         object id, third word.
     * @param index     page index.
     * @param remove    whether to delete the remote copy too (ephemeral pools, exclusive gets).
     * @return the page, {@code null} on a miss, or {@link #FAILED} if Redis could not be asked.
     */
    public RemotePage get(final RemoteNamespace namespace, final long a, final long b, final long c, final int index,
        final boolean remove)
    {
        return getAll(namespace, a, b, c, new int[] {index}, remove)[0];
    }

    /**
     * Reads several pages of one object in one round trip ({@code HMGET}, and {@code HDEL} pipelined behind it when
     * removing).
     *
     * @param namespace the pool's namespace.
     * @param a         object id, first word.
     * @param b         object id, second word.
     * @param c         object id, third word.
     * @param indexes   page indexes.
     * @param remove    whether to delete the remote copies too.
     * @return one answer per index, as {@link #get}.
     */
    public RemotePage[] getAll(final RemoteNamespace namespace, final long a, final long b, final long c,
        final int[] indexes, final boolean remove)
    {
        final byte[] key = namespace.objectKey(a, b, c);
        final byte[][] fields = new byte[indexes.length][];
        for (int i = 0; i < indexes.length; i++)
        {
            fields[i] = RemoteNamespace.field(indexes[i]);
        }
        final RemotePage[] pages = new RemotePage[indexes.length];
        counters.gets.add(indexes.length);
        final Object reply = call(commands ->
        {
            final RedisFuture<List<KeyValue<byte[], byte[]>>> values = commands.hmget(key, fields);
            if (remove)
            {
                commands.hdel(key, fields);
            }
            return values;
        });
        if (reply instanceof RemoteFailure)
        {
            Arrays.fill(pages, FAILED);
            return pages;
        }
        @SuppressWarnings("unchecked")
        final List<KeyValue<byte[], byte[]>> values = (List<KeyValue<byte[], byte[]>>)reply;
        for (int i = 0; i < pages.length; i++)
        {
            final KeyValue<byte[], byte[]> value = values.get(i);
            if (!value.hasValue())
            {
                counters.misses.increment();
                continue;
            }
            pages[i] = RemotePage.decode(key, fields[i], value.getValue());
            if (pages[i] == null)
            {
                counters.failed(RemoteFailure.CORRUPT);
                counters.misses.increment();
                if (!remove)
                {
                    final byte[] corrupt = fields[i];
                    call(commands -> commands.hdel(key, corrupt));
                }
            }
            else
            {
                counters.hits.increment();
                counters.getBytes.add(value.getValue().length);
            }
        }
        return pages;
    }

    /**
     * Deletes one page.
     *
     * @param namespace the pool's namespace.
     * @param a         object id, first word.
     * @param b         object id, second word.
     * @param c         object id, third word.
     * @param index     page index.
     * @return whether Redis confirmed the page is gone (it may never have been there); {@code false} if it could
     * not be asked.
     */
    public boolean delete(final RemoteNamespace namespace, final long a, final long b, final long c,
        final int index)
    {
        final byte[] key = namespace.objectKey(a, b, c);
        final Object reply = call(commands -> commands.hdel(key, RemoteNamespace.field(index)));
        if (reply instanceof RemoteFailure)
        {
            return false;
        }
        counters.deletes.add((Long)reply);
        return true;
    }

    /**
     * Drops every page of an object: {@code HLEN} and {@code DEL} in one round trip.
     *
     * @param namespace the pool's namespace.
     * @param a         object id, first word.
     * @param b         object id, second word.
     * @param c         object id, third word.
     * @return how many pages were dropped, or -1 if Redis could not be asked.
     */
    public long deleteObject(final RemoteNamespace namespace, final long a, final long b, final long c)
    {
        final byte[] key = namespace.objectKey(a, b, c);
        final Object reply = call(commands ->
        {
            final RedisFuture<Long> length = commands.hlen(key);
            commands.del(key);
            return length;
        });
        if (reply instanceof RemoteFailure)
        {
            return -1;
        }
        counters.deletes.add((Long)reply);
        return (Long)reply;
    }

    /**
     * Drops every key of a namespace: {@code SCAN MATCH} on every master, {@code UNLINK} in batches. Not bounded by
     * the command timeout (it is as long as the pool is large), but by each round trip's.
     *
     * @param namespace the pool's namespace.
     * @return how many objects were dropped, or -1 if Redis could not be asked.
     */
    public long deleteNamespace(final RemoteNamespace namespace)
    {
        final Connected current = connected;
        if (current == null || !breaker.allow())
        {
            counters.failed(RemoteFailure.BYPASSED);
            return -1;
        }
        try
        {
            final ScanArgs args = ScanArgs.Builder.matches(namespace.scanPattern()).limit(SCAN_BATCH);
            final ScanIterator<byte[]> keys = ScanIterator.scan(current.sync(), args);
            final List<byte[]> batch = new ArrayList<>();
            long dropped = 0;
            while (keys.hasNext())
            {
                batch.add(keys.next());
                if (batch.size() == SCAN_BATCH || !keys.hasNext())
                {
                    dropped += current.sync().unlink(batch.toArray(new byte[0][]));
                    batch.clear();
                }
            }
            breaker.succeeded();
            return dropped;
        }
        catch (final RuntimeException ex)
        {
            failed(classify(ex));
            return -1;
        }
    }

    /**
     * Asks Redis how much memory it uses.
     *
     * @return Redis's {@code used_memory} ({@code INFO memory}), summed over the masters of a Cluster, or -1 if
     * Redis could not be asked.
     */
    public long usedMemoryBytes()
    {
        final Connected current = connected;
        if (current == null)
        {
            return -1;
        }
        try
        {
            long sum = 0;
            for (final RedisClusterCommands<byte[], byte[]> master : masters(current))
            {
                sum += Long.parseLong(infoField(master.info("memory"), "used_memory"));
            }
            return sum;
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * Decodes a failed put's answer.
     *
     * @param code a negative answer of {@link #put}.
     * @return why the put failed.
     */
    public static RemoteFailure failureOf(final int code)
    {
        if (code >= 0 || -code > RemoteFailure.values().length)
        {
            throw new IllegalArgumentException("code must be a negative answer of put, was " + code);
        }
        return RemoteFailure.values()[-code - 1];
    }

    /**
     * Counts the failures of one kind.
     *
     * @param failure a failure kind.
     * @return how many operations failed so.
     */
    public long failures(final RemoteFailure failure)
    {
        return counters.failures(failure);
    }

    /**
     * {@return remote hits so far}
     */
    public long hits()
    {
        return counters.hits.sum();
    }

    /**
     * {@return remote misses so far (including corrupt values)}
     */
    public long misses()
    {
        return counters.misses.sum();
    }

    /**
     * {@return pages stored so far}
     */
    public long puts()
    {
        return counters.puts.sum();
    }

    /**
     * {@return value bytes stored so far}
     */
    public long putBytes()
    {
        return counters.putBytes.sum();
    }

    /**
     * Reads the round-trip latency histogram.
     *
     * @param percentile 0 to 100.
     * @return the round-trip latency at that percentile in microseconds.
     */
    public long latencyMicros(final double percentile)
    {
        return counters.latencyMicros(percentile);
    }

    /**
     * Describes the store's counters for publication.
     *
     * @param name the source's name, e.g. {@code persistent}.
     * @return the store's counters as a source of kind {@code remote}.
     */
    public CounterSource counterSource(final String name)
    {
        return counters.source(name, breaker);
    }

    @Override
    public void close()
    {
        closed = true;
        reconnector.shutdownNow();
        final Connected current = connected;
        connected = null;
        if (current != null)
        {
            current.connection().close();
        }
        if (standalone != null)
        {
            standalone.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (cluster != null)
        {
            cluster.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString()
    {
        return "RedisPageStore{" + endpoint + ", " + counters + "}";
    }

    /**
     * Sends what {@code commands} issues (several commands are pipelined) and waits for the future it returns.
     *
     * @return the reply, or the {@link RemoteFailure} (already counted).
     */
    private Object call(final Function<RedisClusterAsyncCommands<byte[], byte[]>, Future<?>> commands)
    {
        final Connected current = connected;
        if (current == null || !breaker.allow())
        {
            counters.failed(RemoteFailure.BYPASSED);
            return RemoteFailure.BYPASSED;
        }
        final long start = System.nanoTime();
        try
        {
            final Object reply = commands.apply(current.async()).get(timeoutNanos + TIMEOUT_SLACK_NANOS,
                TimeUnit.NANOSECONDS);
            counters.roundTrip(start);
            breaker.succeeded();
            return reply;
        }
        catch (final TimeoutException ex)
        {
            return failed(RemoteFailure.TIMEOUT);
        }
        catch (final ExecutionException ex)
        {
            return failed(classify(ex.getCause()));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return failed(RemoteFailure.ERROR);
        }
        catch (final RuntimeException ex)
        {
            return failed(classify(ex));
        }
    }

    /**
     * {@code HSET} then {@code WAIT} on the connection of the master that holds the key's slot (a Cluster's default
     * connection would send {@code WAIT} to any node).
     *
     * @return the future of the number of replicas that acknowledged.
     */
    private Future<Long> hsetAndWait(final RedisClusterAsyncCommands<byte[], byte[]> commands, final byte[] key,
        final byte[] field, final byte[] value, final int replicas)
    {
        // half the timeout: a master short of replicas answers in time, a refusal (UNREPLICATED) rather than a
        // timeout, so the breaker stays closed for the pages of the other masters
        final long waitMillis = Math.max(1, endpoint.commandTimeout().toMillis() / 2);
        if (cluster == null)
        {
            commands.hset(key, field, value);
            return commands.waitForReplication(replicas, waitMillis).toCompletableFuture();
        }
        final StatefulRedisClusterConnection<byte[], byte[]> connection =
            (StatefulRedisClusterConnection<byte[], byte[]>)connected.connection();
        final RedisClusterNode master = connection.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
        if (master == null)
        {
            return CompletableFuture.failedFuture(new RedisException("no master holds the slot of the key"));
        }
        return connection.getConnectionAsync(master.getNodeId()).thenCompose(node ->
        {
            final var async = node.async();
            final CompletableFuture<Boolean> set = async.hset(key, field, value).toCompletableFuture();
            return async.waitForReplication(replicas, waitMillis).toCompletableFuture()
                .thenCombine(set, (acknowledged, ignored) -> acknowledged);
        });
    }

    private RemoteFailure failed(final RemoteFailure failure)
    {
        counters.failed(failure);
        if (failure.opensBreaker())
        {
            breaker.failed();
        }
        else
        {
            // Redis answered: it is up, whatever it thought of the command
            breaker.succeeded();
        }
        return failure;
    }

    private static int code(final RemoteFailure failure)
    {
        return -1 - failure.ordinal();
    }

    private static RemoteFailure classify(final Throwable ex)
    {
        if (ex instanceof RedisCommandTimeoutException)
        {
            return RemoteFailure.TIMEOUT;
        }
        if (ex instanceof RedisCommandExecutionException)
        {
            final String message = String.valueOf(ex.getMessage());
            if (message.startsWith("OOM"))
            {
                return RemoteFailure.FULL;
            }
            if (message.startsWith("NOAUTH") || message.startsWith("WRONGPASS") || message.startsWith("NOPERM"))
            {
                return RemoteFailure.DENIED;
            }
            if (message.startsWith("LOADING") || message.startsWith("CLUSTERDOWN") || message.startsWith("TRYAGAIN")
                || message.startsWith("MASTERDOWN"))
            {
                return RemoteFailure.UNAVAILABLE;
            }
            return RemoteFailure.ERROR;
        }
        if (ex instanceof RedisConnectionException || ex instanceof RedisException
            || ex instanceof java.io.IOException)
        {
            return RemoteFailure.UNAVAILABLE;
        }
        return RemoteFailure.ERROR;
    }

    private boolean tryConnect()
    {
        final StatefulConnection<byte[], byte[]> connection;
        final RedisClusterAsyncCommands<byte[], byte[]> async;
        final RedisClusterCommands<byte[], byte[]> sync;
        try
        {
            if (cluster != null)
            {
                final StatefulRedisClusterConnection<byte[], byte[]> c = cluster.connect(ByteArrayCodec.INSTANCE);
                connection = c;
                async = c.async();
                sync = c.sync();
            }
            else
            {
                final StatefulRedisConnection<byte[], byte[]> c = standalone.connect(ByteArrayCodec.INSTANCE);
                connection = c;
                async = c.async();
                sync = c.sync();
            }
        }
        catch (final RuntimeException ex)
        {
            final String told = deniedMessage(ex);
            final String denied = told != null ? told : askedRefusal();
            if (denied != null)
            {
                throw new IllegalStateException("Redis at " + endpoint.redactedUri() + " refused the credentials"
                    + (endpoint.user() == null ? "" : " of user '" + endpoint.user() + "'") + ": " + denied, ex);
            }
            connectionProblem = "Redis at " + endpoint.redactedUri() + " is not reachable: " + rootMessage(ex);
            return false;
        }
        final Connected candidate = new Connected(connection, async, sync);
        try
        {
            if (endpoint.durability() == Durability.PERSISTENT)
            {
                checkDurable(candidate);
            }
        }
        catch (final RuntimeException ex)
        {
            connection.close();
            throw ex;
        }
        connected = candidate;
        connectionProblem = null;
        return true;
    }

    /**
     * Asks the first node, on a connection of its own, whether it takes the endpoint's credentials: for a connect
     * that failed for a reason that is not a refusal. Lettuce's handshake ({@code HELLO 3 AUTH user password})
     * closes the channel when Redis refuses it, and the connect then sometimes fails with what the close left behind
     * ({@code Connection closed prematurely}, {@code RedisHandshakeHandler not registered}) instead of Redis's
     * {@code WRONGPASS}: a wrong password would pass for an unreachable Redis, and the store would start bypassed
     * and retry forever instead of being refused. This connection is RESP2 without credentials, which has no
     * handshake that Redis could refuse, so {@code AUTH} ({@code PING} when there are no credentials) is answered as
     * a plain command on a channel that stays open. It waits up to the connect timeout, not the command timeout: the
     * answer decides between refusing the endpoint and retrying it forever.
     *
     * @return Redis's refusal, or {@code null} if it took the credentials or could not be asked.
     */
    private String askedRefusal()
    {
        final RedisURI node = endpoint.redisUris().getFirst();
        final RedisCredentials credentials = node.getCredentialsProvider().resolveCredentials().block();
        node.setCredentialsProvider(new StaticCredentialsProvider(null, null));
        // a database in the URI would have the handshake SELECT it before AUTH, and Redis refuse that as NOAUTH
        node.setDatabase(0);
        node.setTimeout(endpoint.connectTimeout());
        final RedisClient asker = RedisClient.create(resources);
        asker.setOptions(ClientOptions.builder()
            .protocolVersion(ProtocolVersion.RESP2)
            .pingBeforeActivateConnection(false)
            .socketOptions(SocketOptions.builder().connectTimeout(endpoint.connectTimeout()).build())
            .build());
        try (StatefulRedisConnection<String, String> connection = asker.connect(StringCodec.UTF8, node))
        {
            if (credentials.hasPassword())
            {
                // the handshake authenticates a password without a user as default: so does this
                connection.sync().auth(credentials.hasUsername() ? credentials.getUsername() : "default",
                    CharBuffer.wrap(credentials.getPassword()));
            }
            else
            {
                connection.sync().ping();
            }
            return null;
        }
        catch (final RuntimeException ex)
        {
            return deniedMessage(ex);
        }
        finally
        {
            asker.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private void scheduleReconnect()
    {
        reconnector.schedule(() ->
        {
            if (closed)
            {
                return;
            }
            try
            {
                if (tryConnect())
                {
                    breaker.succeeded();
                    return;
                }
            }
            catch (final RuntimeException ex)
            {
                connectionProblem = ex.getMessage();
            }
            scheduleReconnect();
        }, endpoint.probeInterval().toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Refuses a Redis that could drop a persistent page: every master must have {@code maxmemory-policy noeviction},
     * {@code appendonly yes} and {@code appendfsync always}.
     */
    private void checkDurable(final Connected candidate)
    {
        for (final RedisClusterCommands<byte[], byte[]> master : masters(candidate))
        {
            final Map<String, String> config;
            try
            {
                config = master.configGet("maxmemory-policy", "appendonly", "appendfsync");
            }
            catch (final RedisCommandExecutionException ex)
            {
                throw new IllegalStateException("cannot check that Redis at " + endpoint.redactedUri()
                    + " keeps persistent pages: CONFIG GET failed (" + ex.getMessage() + "); grant the user "
                    + "+config|get or use a Redis that allows it", ex);
            }
            final List<String> problems = new ArrayList<>();
            require(problems, config, "maxmemory-policy", "noeviction");
            require(problems, config, "appendonly", "yes");
            require(problems, config, "appendfsync", "always");
            if (!problems.isEmpty())
            {
                throw new IllegalStateException("Redis at " + endpoint.redactedUri() + " could lose persistent "
                    + "pages: " + String.join(", ", problems) + "; a persistent endpoint needs maxmemory-policy "
                    + "noeviction, appendonly yes and appendfsync always");
            }
        }
    }

    private static void require(final List<String> problems, final Map<String, String> config, final String name,
        final String wanted)
    {
        final String actual = config.get(name);
        if (!wanted.equals(actual))
        {
            problems.add(name + " is " + actual + ", not " + wanted);
        }
    }

    private List<RedisClusterCommands<byte[], byte[]>> masters(final Connected current)
    {
        if (current.connection() instanceof StatefulRedisClusterConnection<byte[], byte[]> clusterConnection)
        {
            final List<RedisClusterCommands<byte[], byte[]>> masters = new ArrayList<>();
            for (final RedisClusterNode node : clusterConnection.getPartitions())
            {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM))
                {
                    masters.add(clusterConnection.getConnection(node.getNodeId()).sync());
                }
            }
            return masters;
        }
        return List.of(current.sync());
    }

    private static String infoField(final String info, final String field)
    {
        for (final String line : info.split("\r?\n"))
        {
            if (line.startsWith(field + ":"))
            {
                return line.substring(field.length() + 1).trim();
            }
        }
        throw new IllegalStateException("INFO has no " + field);
    }

    private static String deniedMessage(final Throwable ex)
    {
        for (Throwable t = ex; t != null; t = t.getCause())
        {
            final String message = String.valueOf(t.getMessage());
            for (final String code : List.of("WRONGPASS", "NOAUTH", "NOPERM"))
            {
                final int at = message.indexOf(code);
                if (at >= 0)
                {
                    return message.substring(at);
                }
            }
        }
        return null;
    }

    private static String rootMessage(final Throwable ex)
    {
        Throwable t = ex;
        while (t.getCause() != null)
        {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
