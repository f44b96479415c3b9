package org.tmem4j.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.zcache.ZcacheBackend;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.CorruptPageException;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcachePoolStats;

/**
 * The host daemon: one {@link Zcache} under a host-wide budget, served to the JVMs of the host over a Unix domain
 * socket — the Xen tmem shim's role, with JVMs for guests.
 * <pre>
 *   DIR/            mode 0700 (0750 with a group), owned by the daemon's user
 *     host.sock     the socket, 0600 (0660 with a group)
 *     client-N-*.region   a client's shared region while it maps it, 0600, owned by the client's user
 * </pre>
 * <b>Clients</b> are identified by their socket's peer credentials ({@code SO_PEERCRED}), never by what they
 * say: a slot joins its client only with the client's secret token <i>and</i> the same user, a shared pool is
 * joined only by its creator's user or a user or group that {@link HostConfig} allows. Each connection is served
 * by its own thread; see {@link HostProtocol} for the frames.
 * <p>
 * <b>Robustness.</b> A frame that breaks the protocol ends that client's session (its pools are freed); a bad
 * argument or a forged pool id is answered with an error and the connection stays. Nothing a client sends reaches
 * outside its own pools and region, and a client's failure never reaches the daemon or another client.
 * <p>
 * <b>Persistent caps</b> (Xen's per-client accounting): a client at its cap has its persistent puts refused (its
 * frontswap writes the page to its swap file), and since zcache never evicts persistent pages, no client's
 * persistent pages are ever taken by another. Ephemeral pages of all clients share the rest of the budget and are
 * evicted coldest first across every pool, a page's age divided by its client's weight, so under a full budget the
 * clients' ephemeral shares follow their weights.
 */
public final class HostDaemon implements AutoCloseable
{
    /** The socket's name in the daemon's directory. */
    public static final String SOCKET_NAME = "host.sock";

    private static final System.Logger LOG = System.getLogger(HostDaemon.class.getName());
    private static final String REGION_SUFFIX = ".region";

    private final HostConfig config;
    private final Path dir;
    private final Path socket;
    private final ZcacheBackend store;
    private final Zcache zcache;
    private final ServerSocketChannel server;
    /** Platform threads: a slot's thread spins on the region, which would hold a virtual thread's carrier. */
    private final ExecutorService connections = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon()
        .name("tmem4j-host-connection-", 0).factory());
    private final Thread acceptor;
    private final Map<Integer, ClientSession> sessions = new ConcurrentHashMap<>();
    private final Map<ClientSession.SharedKey, SharedPool> shared = new HashMap<>();
    private final AtomicInteger nextClient = new AtomicInteger(1);
    private final SecureRandom random = new SecureRandom();
    private final String ownUser = System.getProperty("user.name");
    private final HandoffCounters handoffs = new HandoffCounters();
    private volatile boolean closed;

    /** A shared pool and who created it; guarded by {@code shared}. */
    private static final class SharedPool
    {
        final UserPrincipal owner;
        final int zcacheId;
        int members;

        SharedPool(final UserPrincipal owner, final int zcacheId)
        {
            this.owner = owner;
            this.zcacheId = zcacheId;
        }
    }

    private HostDaemon(final FrontendsConfig store, final HostConfig config) throws IOException
    {
        this.config = config;
        this.socket = store.hostSocket().toAbsolutePath();
        this.dir = socket.getParent();
        prepareDirectory();
        this.store = ZcacheBackend.create(store);
        this.zcache = this.store.zcache();
        ServerSocketChannel channel = null;
        try
        {
            channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString(
                config.group() == null ? "rw-------" : "rw-rw----"));
            if (config.group() != null)
            {
                setGroup(socket, config.group());
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            if (channel != null)
            {
                channel.close();
            }
            this.store.close();
            throw ex;
        }
        this.server = channel;
        this.acceptor = Thread.ofPlatform().name("tmem4j-host-accept").daemon().unstarted(this::acceptLoop);
    }

    /**
     * Starts a daemon listening at {@code store.hostSocket()}.
     *
     * @param store  the store's budget, allocator, codec, buckets and checksum, and the socket's path.
     * @param config who may connect and share, and the clients' caps.
     * @return the running daemon.
     * @throws UncheckedIOException  if the directory or socket cannot be set up.
     * @throws IllegalStateException if another daemon is serving that socket.
     */
    public static HostDaemon start(final FrontendsConfig store, final HostConfig config)
    {
        if (store == null || config == null)
        {
            throw new IllegalArgumentException("store and config are required, got " + store + ", " + config);
        }
        final HostDaemon daemon;
        try
        {
            daemon = new HostDaemon(store, config);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot set up the host daemon at " + store.hostSocket(), ex);
        }
        daemon.acceptor.start();
        LOG.log(System.Logger.Level.DEBUG, "tmem4j host daemon listening at {0}, budget {1} bytes", daemon.socket,
            daemon.zcache.budgetBytes());
        return daemon;
    }

    /**
     * {@return the socket clients connect to}
     */
    public Path socket()
    {
        return socket;
    }

    /**
     * {@return the store, for its statistics}
     */
    public Zcache zcache()
    {
        return zcache;
    }

    /**
     * {@return how the daemon's waits for requests went, over every client's slots: spun or slept, and the wake-up
     * bytes it sent} Source kind {@code host}, name {@code daemon-handoffs}.
     */
    public CounterSource handoffCounters()
    {
        return HandoffCounters.CATALOG.source("host", "daemon-handoffs", () -> handoffs);
    }

    /**
     * {@return how many clients are connected}
     */
    public int clients()
    {
        return sessions.size();
    }

    /**
     * {@return every connected client's row, by id}
     */
    public List<HostClientStats> clientStats()
    {
        final List<ClientSession> list = new ArrayList<>(sessions.values());
        list.sort((x, y) -> Integer.compare(x.id, y.id));
        final List<HostClientStats> rows = new ArrayList<>(list.size());
        for (final ClientSession session : list)
        {
            long ephemeral = 0;
            long persistent = 0;
            long bytes = 0;
            final List<ClientSession.Pool> pools = session.pools();
            for (final ClientSession.Pool pool : pools)
            {
                final ZcachePoolStats row;
                try
                {
                    row = zcache.poolStats(pool.zcacheId());
                }
                catch (final IllegalArgumentException destroyedMeanwhile)
                {
                    continue;
                }
                if (pool.kind() == PoolKind.PERSISTENT)
                {
                    persistent += row.pages();
                }
                else
                {
                    ephemeral += row.pages();
                }
                bytes += row.compressedBytes();
            }
            rows.add(new HostClientStats(session.id, session.user.getName(), session.name, session.pid,
                session.slots, pools.size(), ephemeral, persistent, bytes, session.persistentCap, session.sharePages,
                session.shareMoves.get(), session.weight,
                session.puts.sum(), session.gets.sum(), session.hits.sum()));
        }
        return rows;
    }

    /**
     * {@return the per-client table: pages, bytes, cap and hits of every connected client}
     */
    public String statusTable()
    {
        final List<HostClientStats> rows = clientStats();
        final StringBuilder out = new StringBuilder(String.format(
            "%-6s %-20s %-8s %5s %5s %12s %12s %14s %12s %12s %6s %7s %12s %12s %12s%n", "client", "user[/name]",
            "pid", "slots", "pools", "eph_pages", "pers_pages", "bytes", "pers_cap", "share", "moves", "weight", "puts",
            "gets", "hits"));
        long pages = 0;
        for (final HostClientStats row : rows)
        {
            pages += row.ephemeralPages() + row.persistentPages();
            out.append(String.format("%-6d %-20s %-8d %5d %5d %12d %12d %14d %12s %12s %6d %7d %12d %12d %12d%n",
                row.id(), row.qualifiedName(), row.pid(), row.slots(), row.pools(), row.ephemeralPages(),
                row.persistentPages(), row.bytes(), pages(row.persistentCap()), pages(row.sharePages()),
                row.shareMoves(), row.weight(), row.puts(), row.gets(), row.hits()));
        }
        final var stats = zcache.stats();
        out.append(String.format("clients %d, pages %d (shared pools count in each member's row), budget %d bytes,"
            + " in use %d bytes, evictions %d%n", rows.size(), pages, zcache.budgetBytes(),
            stats.memory().bytesInUse(), stats.evictions()));
        out.append(String.format("requests found spinning %d (after yielding %d), asleep %d; wake-ups sent %d%n",
            handoffs.spun.sum(), handoffs.yielded.sum(), handoffs.slept.sum(), handoffs.wakeupsSent.sum()));
        return out.toString();
    }

    private static String pages(final long limit)
    {
        return limit == HostConfig.UNLIMITED ? "unlimited" : Long.toString(limit);
    }

    /**
     * Stops accepting, ends every client (their JVMs see the backend gone), frees the store and removes the socket.
     * Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            server.close();
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "closing the host socket failed", ex);
        }
        sessions.values().forEach(ClientSession::end);
        connections.shutdownNow();
        try
        {
            acceptor.join(TimeUnit.SECONDS.toMillis(10));
            connections.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        store.close();
        try
        {
            Files.deleteIfExists(socket);
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "removing " + socket + " failed", ex);
        }
    }

    @Override
    public String toString()
    {
        return "HostDaemon{" + socket + ", " + sessions.size() + " clients}";
    }

    private void prepareDirectory() throws IOException
    {
        final String mode = config.group() == null ? "rwx------" : "rwxr-x---";
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
        {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
        {
            throw new IOException(dir + " is not a directory; the host daemon needs a directory of its own");
        }
        final String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals(ownUser))
        {
            throw new IOException(dir + " belongs to " + owner + ", not to " + ownUser
                + " who runs the daemon; give the daemon a directory of its own");
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
        if (config.group() != null)
        {
            setGroup(dir, config.group());
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS))
        {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket)))
            {
                throw new IllegalStateException("a host daemon is already serving " + socket + " (connected to it)");
            }
            catch (final IOException stale)
            {
                Files.delete(socket);
            }
        }
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, "*" + REGION_SUFFIX))
        {
            for (final Path file : stale)
            {
                Files.deleteIfExists(file);
            }
        }
    }

    private static void setGroup(final Path path, final String group) throws IOException
    {
        final GroupPrincipal principal = path.getFileSystem().getUserPrincipalLookupService()
            .lookupPrincipalByGroupName(group);
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .setGroup(principal);
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final SocketChannel channel;
            try
            {
                channel = server.accept();
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    LOG.log(System.Logger.Level.ERROR, "accepting on " + socket + " failed; the daemon stops", ex);
                }
                return;
            }
            try
            {
                connections.execute(() -> serve(channel));
            }
            catch (final RuntimeException rejectedOnClose)
            {
                closeQuietly(channel);
            }
        }
    }

    /**
     * Serves one connection until it ends. Whatever happens here ends at most this connection's client.
     */
    private void serve(final SocketChannel channel)
    {
        final ByteBuffer request = HostProtocol.buffer(HostProtocol.REQUEST_BYTES);
        final ByteBuffer response = HostProtocol.buffer(HostProtocol.RESPONSE_HEADER_BYTES);
        ClientSession session = null;
        try
        {
            if (!HostProtocol.readFully(channel, request))
            {
                return;
            }
            final UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            final int op = request.getInt(0);
            switch (op)
            {
                case HostProtocol.HELLO ->
                {
                    session = hello(channel, peer, request, response);
                    if (session != null)
                    {
                        serveControl(channel, session, request, response);
                    }
                }
                case HostProtocol.JOIN ->
                {
                    final int slot = request.getInt(32);
                    final ClientSession joined = sessions.get((int)request.getLong(8));
                    final String refused = joined == null ? "no client " + request.getLong(8)
                        : joined.join(channel, request.getLong(16), request.getLong(24), peer.user(), slot);
                    if (refused != null)
                    {
                        respond(channel, response, HostProtocol.STATUS_PROTOCOL, 0, refused);
                        return;
                    }
                    session = joined;
                    respond(channel, response, HostProtocol.STATUS_OK, 0, (String)null);
                    serveSlot(channel, session, slot);
                }
                case HostProtocol.STATUS -> respond(channel, response, HostProtocol.STATUS_OK, 0, statusTable());
                default -> respond(channel, response, HostProtocol.STATUS_PROTOCOL, 0,
                    "a connection begins with hello, join or status, not op " + op);
            }
        }
        catch (final IOException | RuntimeException | InternalError ex)
        {
            // an I/O error is a client gone; anything else (InternalError: a fault on its truncated region) ends it
            if (!closed && !(ex instanceof IOException))
            {
                LOG.log(System.Logger.Level.WARNING, "ending " + (session == null ? "a connection" : session), ex);
            }
        }
        finally
        {
            closeQuietly(channel);
            if (session != null)
            {
                session.end();
                session.leave();
            }
        }
    }

    private ClientSession hello(final SocketChannel channel, final UnixDomainPrincipal peer,
        final ByteBuffer request, final ByteBuffer response) throws IOException
    {
        final int slots = request.getInt(32);
        final long nameBytes = request.getLong(16);
        if (request.getLong(8) != HostProtocol.MAGIC || slots < 1 || slots > HostProtocol.MAX_SLOTS
            || nameBytes < 0 || nameBytes > HostProtocol.MAX_NAME_BYTES)
        {
            respond(channel, response, HostProtocol.STATUS_PROTOCOL, 0, "bad hello: protocol "
                + Long.toHexString(request.getLong(8)) + " (want " + Long.toHexString(HostProtocol.MAGIC)
                + "), slots " + slots + " (want 1 to " + HostProtocol.MAX_SLOTS + "), name of " + nameBytes
                + " bytes (want 0 to " + HostProtocol.MAX_NAME_BYTES + ")");
            return null;
        }
        final ByteBuffer nameBuffer = ByteBuffer.allocate((int)nameBytes);
        if (nameBytes > 0 && !HostProtocol.readFully(channel, nameBuffer))
        {
            return null;
        }
        final String name = new String(nameBuffer.array(), StandardCharsets.UTF_8);
        if (!name.matches("[A-Za-z0-9_.-]*"))
        {
            respond(channel, response, HostProtocol.STATUS_PROTOCOL, 0, "bad hello: client name " + name
                + " is not [A-Za-z0-9_.-]{1," + HostProtocol.MAX_NAME_BYTES + "}");
            return null;
        }
        final int id = nextClient.getAndIncrement();
        final byte[] token = new byte[HostProtocol.TOKEN_BYTES];
        random.nextBytes(token);
        final Path file = dir.resolve("client-" + id + "-" + Long.toHexString(random.nextLong()) + REGION_SUFFIX);
        final Arena arena = Arena.ofShared();
        final MemorySegment region;
        try (FileChannel fc = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
            "rw-------"))))
        {
            region = fc.map(FileChannel.MapMode.READ_WRITE, 0, HostProtocol.regionBytes(slots), arena);
            if (!peer.user().getName().equals(ownUser))
            {
                final UserPrincipalLookupService lookup = file.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(file, lookup.lookupPrincipalByName(peer.user().getName()));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            arena.close();
            Files.deleteIfExists(file);
            respond(channel, response, HostProtocol.STATUS_DENIED, 0, "cannot give user " + peer.user().getName()
                + " a shared region in " + dir + ": " + ex.toString());
            return null;
        }
        final String user = peer.user().getName();
        final ClientSession session = new ClientSession(id, name, peer.user(), peer.group(), request.getInt(36),
            slots, config.persistentCapOf(user, name), config.weightOf(user, name), token, file, arena, region,
            channel, this::free);
        sessions.put(id, session);
        respondWith(channel, response, HostProtocol.STATUS_OK, id,
            new Welcome(token, config.spinMicros(), zcache.codec().withoutDictionary(), file).encode());
        return session;
    }

    private void serveControl(final SocketChannel channel, final ClientSession session, final ByteBuffer request,
        final ByteBuffer response) throws IOException
    {
        while (HostProtocol.readFully(channel, request))
        {
            if (request.getInt(0) != HostProtocol.MAPPED)
            {
                respond(channel, response, HostProtocol.STATUS_PROTOCOL, 0,
                    "the control connection takes only 'mapped', not op " + request.getInt(0));
                return;
            }
            session.regionMapped();
            respond(channel, response, HostProtocol.STATUS_OK, 0, (String)null);
        }
    }

    /**
     * Serves a slot's requests through its header and page area until the client ends; the socket only wakes.
     */
    private void serveSlot(final SocketChannel channel, final ClientSession session, final int slot)
        throws IOException
    {
        final MemorySegment header = session.slotHeader(slot);
        final MemorySegment page = session.slotPage(slot);
        final SlotHandoff.ByteWait awaitWake = SlotHandoff.blockingWait(channel);
        final SlotHandoff.ByteSend sendWake = SlotHandoff.blockingSend(channel);
        final long spinNanos = TimeUnit.MICROSECONDS.toNanos(config.spinMicros());
        final EagerSpin eager = new EagerSpin();
        for (int round = SlotHandoff.nextRound(0); SlotHandoff.await(header, SlotHandoff.REQUEST,
            SlotHandoff.DAEMON_ASLEEP, round, spinNanos, awaitWake, eager, handoffs);
            round = SlotHandoff.nextRound(round))
        {
            // each field read once: the client may rewrite the header while its request is served
            final int op = SlotHandoff.op(header);
            final int handle = SlotHandoff.pool(header);
            final long a = SlotHandoff.a(header);
            final long b = SlotHandoff.b(header);
            final long c = SlotHandoff.c(header);
            final int index = SlotHandoff.index(header);
            final int arg = SlotHandoff.arg(header);
            int status = HostProtocol.STATUS_OK;
            int value = 0;
            String message = null;
            try
            {
                switch (op)
                {
                    case HostProtocol.CREATE_EPHEMERAL ->
                    {
                        final int id = zcache.createPool(PoolKind.EPHEMERAL, arg);
                        zcache.poolWeight(id, session.weight);
                        value = session.addPool(new ClientSession.Pool(id, PoolKind.EPHEMERAL, arg, null));
                    }
                    case HostProtocol.CREATE_PERSISTENT -> value = session.addPool(new ClientSession.Pool(
                        zcache.createPool(PoolKind.PERSISTENT, arg), PoolKind.PERSISTENT, arg, null));
                    case HostProtocol.CREATE_SHARED ->
                    {
                        final ClientSession.Pool pool = joinShared(session, a, b, arg);
                        if (pool == null)
                        {
                            status = HostProtocol.STATUS_DENIED;
                            message = "user " + session.user.getName() + " may not join shared pool "
                                + new java.util.UUID(a, b) + " of another user (see " + HostConfig.PREFIX
                                + "shared.users and shared.groups)";
                        }
                        else
                        {
                            value = session.addPool(pool);
                        }
                    }
                    case HostProtocol.STORE_FIGURES -> value = HostStoreFigures.of(zcache).writeTo(page);
                    case HostProtocol.SHARE ->
                    {
                        if (a < 4096)
                        {
                            throw new IllegalArgumentException("a share must be at least a page, 4096 bytes, got "
                                + a);
                        }
                        session.sharePages = a == Long.MAX_VALUE ? HostConfig.UNLIMITED : a / 4096;
                        session.shareMoves.incrementAndGet();
                    }
                    case HostProtocol.DESTROY, HostProtocol.PUT, HostProtocol.GET, HostProtocol.FLUSH_PAGE,
                         HostProtocol.FLUSH_OBJECT ->
                    {
                        final ClientSession.Pool pool = op == HostProtocol.DESTROY ? session.removePool(handle)
                            : session.pool(handle);
                        if (pool == null)
                        {
                            status = HostProtocol.STATUS_NO_POOL;
                            message = "pool " + handle + " is not one of " + session + "'s pools";
                        }
                        else
                        {
                            value = poolOp(session, op, pool, a, b, c, index, page);
                        }
                    }
                    default ->
                    {
                        status = HostProtocol.STATUS_PROTOCOL;
                        message = "unknown op " + op;
                    }
                }
            }
            catch (final IllegalArgumentException ex)
            {
                status = HostProtocol.STATUS_BAD_ARGUMENT;
                message = ex.getMessage();
            }
            catch (final CorruptPageException ex)
            {
                status = HostProtocol.STATUS_CORRUPT;
                message = ex.getMessage();
            }
            SlotHandoff.writeResponse(header, page, status, value, message);
            SlotHandoff.post(header, SlotHandoff.RESPONSE, SlotHandoff.CLIENT_ASLEEP, round, sendWake, handoffs);
            if (status == HostProtocol.STATUS_PROTOCOL)
            {
                return;
            }
        }
    }

    private int poolOp(final ClientSession session, final int op, final ClientSession.Pool pool, final long a,
        final long b, final long c, final int index, final MemorySegment slot)
    {
        final boolean persistent = pool.kind() == PoolKind.PERSISTENT;
        switch (op)
        {
            case HostProtocol.DESTROY ->
            {
                destroy(pool);
                return 0;
            }
            case HostProtocol.PUT ->
            {
                session.puts.increment();
                if (persistent && atCap(session) || atShare(session))
                {
                    // a refused put drops the older copy, as every refused put does
                    zcache.flushPage(pool.zcacheId(), a, b, c, index);
                    return Zcache.NO_MEMORY;
                }
                final int result = zcache.put(pool.zcacheId(), a, b, c, index, slot.asSlice(0, pool.pageSize()));
                if (result == Zcache.STORED)
                {
                    session.stored.increment();
                    if (persistent)
                    {
                        session.persistentUpperBound.incrementAndGet();
                    }
                }
                return result;
            }
            case HostProtocol.GET ->
            {
                session.gets.increment();
                final int length = zcache.getCompressed(pool.zcacheId(), a, b, c, index,
                    slot.asSlice(0, pool.pageSize()));
                if (length == Zcache.MISS)
                {
                    return 0;
                }
                session.hits.increment();
                return length;
            }
            case HostProtocol.FLUSH_PAGE ->
            {
                final boolean found = zcache.flushPage(pool.zcacheId(), a, b, c, index);
                if (found && persistent)
                {
                    session.persistentUpperBound.decrementAndGet();
                }
                return found ? 1 : 0;
            }
            default ->
            {
                final int dropped = zcache.flushObject(pool.zcacheId(), a, b, c);
                if (persistent)
                {
                    session.persistentUpperBound.addAndGet(-dropped);
                }
                return dropped;
            }
        }
    }

    /**
     * Whether the client holds its cap of persistent pages: cheap while the upper bound is below the cap, an
     * exact recount over the client's persistent pools once it is not.
     */
    private boolean atCap(final ClientSession session)
    {
        if (session.persistentUpperBound.get() < session.persistentCap)
        {
            return false;
        }
        long exact = 0;
        for (final ClientSession.Pool pool : session.pools())
        {
            if (pool.kind() == PoolKind.PERSISTENT)
            {
                try
                {
                    exact += zcache.poolStats(pool.zcacheId()).pages();
                }
                catch (final IllegalArgumentException destroyedMeanwhile)
                {
                    // a pool destroyed by another of the client's slots holds nothing
                }
            }
        }
        session.persistentUpperBound.set(exact);
        return exact >= session.persistentCap;
    }

    /**
     * Whether the client holds the pages its share allows: never while it has no share limit, else an exact count
     * over its pools.
     */
    private boolean atShare(final ClientSession session)
    {
        final long share = session.sharePages;
        if (share == HostConfig.UNLIMITED)
        {
            return false;
        }
        long held = 0;
        for (final ClientSession.Pool pool : session.pools())
        {
            try
            {
                held += zcache.poolStats(pool.zcacheId()).pages();
            }
            catch (final IllegalArgumentException destroyedMeanwhile)
            {
                // a pool destroyed by another of the client's slots holds nothing
            }
        }
        return held >= share;
    }

    private ClientSession.Pool joinShared(final ClientSession session, final long uuidHi, final long uuidLo,
        final int pageSize)
    {
        final ClientSession.SharedKey key = new ClientSession.SharedKey(uuidHi, uuidLo);
        synchronized (shared)
        {
            final SharedPool existing = shared.get(key);
            if (existing != null && !existing.owner.equals(session.user)
                && !config.sharedUsers().contains(session.user.getName())
                && !config.sharedGroups().contains(session.group.getName()))
            {
                return null;
            }
            final int zcacheId = zcache.createSharedPool(PoolKind.EPHEMERAL, uuidHi, uuidLo, pageSize);
            if (existing == null)
            {
                // a shared pool weighs what its creator does
                zcache.poolWeight(zcacheId, session.weight);
            }
            final SharedPool pool = existing != null ? existing : new SharedPool(session.user, zcacheId);
            pool.members++;
            shared.put(key, pool);
            return new ClientSession.Pool(zcacheId, PoolKind.EPHEMERAL, pageSize, key);
        }
    }

    private void destroy(final ClientSession.Pool pool)
    {
        if (pool.shared() == null)
        {
            zcache.destroyPool(pool.zcacheId());
            return;
        }
        synchronized (shared)
        {
            final SharedPool entry = shared.get(pool.shared());
            if (--entry.members == 0)
            {
                shared.remove(pool.shared());
            }
            zcache.destroyPool(pool.zcacheId());
        }
    }

    /**
     * Frees an ended session's pools; called by its last serving thread.
     */
    private void free(final ClientSession session)
    {
        // the session leaves the table last, so a client that is gone from the table holds nothing any more
        if (!closed)
        {
            for (final ClientSession.Pool pool : session.pools())
            {
                try
                {
                    destroy(pool);
                }
                catch (final RuntimeException ex)
                {
                    LOG.log(System.Logger.Level.WARNING, "freeing a pool of " + session + " failed", ex);
                }
            }
        }
        sessions.remove(session.id);
    }

    private static void respond(final SocketChannel channel, final ByteBuffer response, final int status,
        final int value, final String message) throws IOException
    {
        respondWith(channel, response, status, value,
            message == null ? null : ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }

    private static void respondWith(final SocketChannel channel, final ByteBuffer response, final int status,
        final int value, final ByteBuffer payload) throws IOException
    {
        response.clear();
        response.putInt(status).putInt(value).putInt(payload == null ? 0 : payload.remaining()).flip();
        if (payload == null)
        {
            HostProtocol.writeFully(channel, response);
        }
        else
        {
            channel.write(new ByteBuffer[] {response, payload});
            HostProtocol.writeFully(channel, response);
            HostProtocol.writeFully(channel, payload);
        }
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // the peer is gone either way
        }
    }
}
