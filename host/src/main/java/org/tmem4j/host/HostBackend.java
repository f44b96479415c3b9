package org.tmem4j.host;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CorruptDataException;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.balloon.BalloonedBudget;
import org.tmem4j.frontend.balloon.MemorySignals;
import org.tmem4j.frontend.balloon.Selfballoon;
import org.tmem4j.stats.CounterSource;
import org.tmem4j.tmem.PageSizes;
import org.tmem4j.zcache.CorruptPageException;

/**
 * The host daemon as a frontends {@link Backend}: every call is a synchronous request to the daemon, like a
 * hypercall. The request, its answer and the page cross in the client's shared region, a slot's header and page
 * area; the slot's connection carries a wake-up byte only to a side that went to sleep (see {@link HostProtocol}
 * and {@link SlotHandoff}). A get's page crosses as the daemon's store holds it, compressed by the store's codec,
 * and the calling thread decompresses it: a quarter to a tenth of the page's cache lines move between the cores,
 * and the daemon's thread is free for the next request sooner. A call takes a free slot, so a JVM has as many requests in service as it has slots;
 * the slot freed last, whose daemon thread is still spinning for its next request while others have gone to sleep.
 * <p>
 * <b>When the daemon goes</b> (killed, stopped, or it ended this client), the backend is <i>gone</i> for good: it
 * stores nothing and finds nothing — puts answer {@link #GONE}, gets miss, invalidations find nothing, a new pool
 * is a dead id — and it {@linkplain #mayVanish() may vanish}, so frontswap has written every page through to its
 * swap file and loses nothing. A watcher thread notices the daemon's end on the control connection at once;
 * {@link HostAttachment} then unregisters this backend and registers a new one when the daemon is back.
 * <p>
 * Slot connections are non-blocking with a selector each (for the wake-up bytes), because an interrupt must not
 * end the connection (the JDK closes an interruptible channel whose blocked thread is interrupted); a call keeps
 * the caller's interrupt status and restores it on return.
 */
public final class HostBackend implements Backend, AutoCloseable
{
    /** Answer of {@link #put} when the daemon is gone. */
    public static final int GONE = -3;

    /** Pool ids handed out while gone; the daemon's handles are small, so these never collide with live ones. */
    private static final int DEAD_POOL_BASE = 1 << 30;

    private final Path socket;
    private final SocketChannel control;
    private final Slot[] slots;
    private final FreeSlots<Slot> free;
    private final HandoffCounters handoffs = new HandoffCounters();
    private final Map<Integer, Integer> pageSizes = new ConcurrentHashMap<>();
    private final AtomicInteger deadPools = new AtomicInteger(DEAD_POOL_BASE);
    private final CountDownLatch gone = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final int clientId;
    /** The share at the daemon this client last set, in bytes; {@link Long#MAX_VALUE} for none. */
    private volatile long shareBytes = Long.MAX_VALUE;
    /** Moves the share with this JVM's memory pressure, or {@code null}. */
    private volatile Selfballoon selfballoon;
    /** How long a call spins on its slot's header for the answer before it sleeps on the socket: the daemon's. */
    private final long spinNanos;

    /** One request slot: its connection (for wake-ups only) and its header and page area in the region. */
    private static final class Slot
    {
        final SocketChannel channel;
        final Selector selector;
        final MemorySegment header;
        final MemorySegment page;
        final ByteBuffer wake = ByteBuffer.allocate(1);
        final EagerSpin eager = new EagerSpin();
        /** Decompresses a get's compressed page: the daemon's codec, one per slot (a slot serves one call). */
        final Codec decoder;
        /** The slot's last request ({@link SlotHandoff#nextRound}); a slot is used by one thread at a time. */
        int round;
        /** Where a page for a heap destination is decompressed (codecs write native memory); made on first need. */
        private MemorySegment nativeTarget;

        Slot(final SocketChannel channel, final MemorySegment header, final MemorySegment page, final Codec decoder)
            throws IOException
        {
            this.channel = channel;
            this.header = header;
            this.page = page;
            this.decoder = decoder;
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }

        int awaitWake() throws IOException
        {
            wake.clear();
            try
            {
                fill(this, wake);
            }
            catch (final EOFException ended)
            {
                return -1;
            }
            return wake.get(0);
        }

        void sendWake() throws IOException
        {
            wake.clear().put(SlotHandoff.WAKE).flip();
            while (wake.hasRemaining())
            {
                if (channel.write(wake) == 0)
                {
                    Thread.onSpinWait();
                }
            }
        }

        /**
         * Reads a get's answer of {@code length} bytes in the page area into {@code dst}: the page itself, or the
         * page compressed by the daemon's codec.
         *
         * @throws IOException          if the length is no answer to a get of {@code dst}'s size.
         * @throws CorruptDataException if the compressed page does not decompress to exactly a page.
         */
        void readPage(final int length, final MemorySegment dst) throws IOException
        {
            final int pageSize = (int)dst.byteSize();
            if (length == pageSize)
            {
                MemorySegment.copy(page, 0, dst, 0, pageSize);
                return;
            }
            if (length <= 0 || length > pageSize)
            {
                throw new IOException("host daemon answered a get of a " + pageSize + "-byte page with " + length
                    + " bytes");
            }
            if (dst.isNative() && !dst.isReadOnly())
            {
                decoder.decompress(page, 0, length, dst, 0, pageSize);
                return;
            }
            if (nativeTarget == null)
            {
                nativeTarget = Arena.ofAuto().allocate(HostProtocol.SLOT_BYTES);
            }
            decoder.decompress(page, 0, length, nativeTarget, 0, pageSize);
            MemorySegment.copy(nativeTarget, 0, dst, 0, pageSize);
        }

        void close()
        {
            try
            {
                selector.close();
            }
            catch (final IOException ignored)
            {
                // closing the channel below ends the slot either way
            }
            closeQuietly(channel);
        }
    }

    private HostBackend(final Path socket, final int slotCount, final String name) throws IOException
    {
        this.socket = socket;
        control = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        final Slot[] opened = new Slot[slotCount];
        try
        {
            final ByteBuffer request = HostProtocol.buffer(HostProtocol.REQUEST_BYTES);
            final ByteBuffer response = HostProtocol.buffer(HostProtocol.RESPONSE_HEADER_BYTES);
            final byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
            final ByteBuffer helloFrame = HostProtocol.buffer(HostProtocol.REQUEST_BYTES + nameBytes.length);
            HostProtocol.putRequest(helloFrame, HostProtocol.HELLO, 0, HostProtocol.MAGIC, nameBytes.length, 0,
                slotCount, (int)ProcessHandle.current().pid());
            helloFrame.limit(helloFrame.capacity()).position(HostProtocol.REQUEST_BYTES);
            helloFrame.put(nameBytes).flip();
            final Welcome welcome = Welcome.decode(HostProtocol.exchange(control, helloFrame, response));
            clientId = response.getInt(4);
            spinNanos = TimeUnit.MICROSECONDS.toNanos(welcome.spinMicros());
            final Path region = welcome.region();
            final MemorySegment segment;
            try (FileChannel file = FileChannel.open(region, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                final long size = HostProtocol.regionBytes(slotCount);
                if (file.size() != size)
                {
                    throw new IOException("region " + region + " has " + file.size() + " bytes, expected " + size);
                }
                // unmapped when the backend is unreachable: a call may still copy through a gone backend's region
                segment = file.map(FileChannel.MapMode.READ_WRITE, 0, size, Arena.ofAuto());
            }
            for (int i = 0; i < slotCount; i++)
            {
                final SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                try
                {
                    HostProtocol.putRequest(request, HostProtocol.JOIN, 0, clientId, welcome.tokenHi(),
                        welcome.tokenLo(), i, 0);
                    HostProtocol.exchange(channel, request, response);
                    opened[i] = new Slot(channel, HostProtocol.slotHeader(segment, i),
                        HostProtocol.slotPage(segment, slotCount, i), welcome.codec().newCodec());
                }
                catch (final IOException | RuntimeException ex)
                {
                    closeQuietly(channel);
                    throw ex;
                }
            }
            HostProtocol.putRequest(request, HostProtocol.MAPPED, 0, 0, 0, 0, 0, 0);
            HostProtocol.exchange(control, request, response);
        }
        catch (final IOException | RuntimeException ex)
        {
            for (final Slot slot : opened)
            {
                if (slot != null)
                {
                    slot.close();
                    slot.decoder.close();
                }
            }
            closeQuietly(control);
            throw ex;
        }
        slots = opened;
        free = new FreeSlots<>(java.util.List.of(opened));
        Thread.ofPlatform().name("tmem4j-host-watch-" + clientId).daemon().start(this::watch);
    }

    /**
     * Connects to the daemon as a configuration says: its socket, slots and client name; with
     * {@code selfballoon.enabled}, the configured budget becomes this client's share at the daemon and a
     * {@link Selfballoon} moves it with this JVM's memory pressure (a JVM short of memory gives host memory back;
     * the PSI it reads is the whole host's where there is no cgroup) until the backend is closed or gone.
     *
     * @param config the {@code host.*}, budget and {@code selfballoon.*} settings.
     * @return a connected backend.
     * @throws UncheckedIOException  if no daemon answers at the socket.
     * @throws IllegalStateException if the daemon refuses this client.
     */
    public static HostBackend connect(final FrontendsConfig config)
    {
        final HostBackend backend = connect(config.hostSocket(), config.hostSlots(), config.hostClient());
        if (config.selfballoon())
        {
            backend.shareBytes(config.budgetBytes());
            backend.selfballoon = Selfballoon.start(backend.share(), config, MemorySignals.ofThisJvm());
        }
        return backend;
    }

    /**
     * Connects to the daemon without a name: the daemon gives it its user's weight and cap.
     *
     * @param socket the daemon's socket.
     * @param slots  request slots to open, 1 to 64: how many calls of this JVM the daemon serves in parallel.
     * @return a connected backend.
     * @throws UncheckedIOException  if no daemon answers at the socket.
     * @throws IllegalStateException if the daemon refuses this client.
     */
    public static HostBackend connect(final Path socket, final int slots)
    {
        return connect(socket, slots, "");
    }

    /**
     * Connects to the daemon.
     *
     * @param socket the daemon's socket.
     * @param slots  request slots to open, 1 to 64: how many calls of this JVM the daemon serves in parallel.
     * @param name   the name this client gives itself, {@code [A-Za-z0-9_.-]{1,64}}, or empty for none: it selects
     *               the weight and cap the daemon's configuration gives that name under this JVM's user.
     * @return a connected backend.
     * @throws UncheckedIOException  if no daemon answers at the socket.
     * @throws IllegalStateException if the daemon refuses this client.
     */
    public static HostBackend connect(final Path socket, final int slots, final String name)
    {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{0," + HostProtocol.MAX_NAME_BYTES + "}"))
        {
            throw new IllegalArgumentException("client name must be [A-Za-z0-9_.-]{1," + HostProtocol.MAX_NAME_BYTES
                + "} or empty, got " + name);
        }
        if (socket == null)
        {
            throw new IllegalArgumentException("socket is null");
        }
        if (slots < 1 || slots > HostProtocol.MAX_SLOTS)
        {
            throw new IllegalArgumentException("slots must be from 1 to " + HostProtocol.MAX_SLOTS + ", got "
                + slots);
        }
        try
        {
            return new HostBackend(socket, slots, name);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("no tmem4j host daemon answers at " + socket, ex);
        }
    }

    /**
     * {@return the id the daemon gave this client (its row in the daemon's table)}
     */
    public int clientId()
    {
        return clientId;
    }

    /**
     * {@return whether the daemon is gone (this backend stores and finds nothing any more)}
     */
    public boolean isGone()
    {
        return gone.getCount() == 0;
    }

    /**
     * Waits until the daemon is gone or the timeout passes.
     *
     * @param timeout how long to wait.
     * @param unit    its unit.
     * @return whether the daemon is gone.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean awaitGone(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return gone.await(timeout, unit);
    }

    @Override
    public String name()
    {
        return "host";
    }

    @Override
    public boolean mayVanish()
    {
        return true;
    }

    @Override
    public int createEphemeralPool(final int pageSize)
    {
        return createPool(HostProtocol.CREATE_EPHEMERAL, 0, 0, pageSize);
    }

    @Override
    public int createSharedEphemeralPool(final long uuidHi, final long uuidLo, final int pageSize)
    {
        return createPool(HostProtocol.CREATE_SHARED, uuidHi, uuidLo, pageSize);
    }

    @Override
    public int createPersistentPool(final int pageSize)
    {
        return createPool(HostProtocol.CREATE_PERSISTENT, 0, 0, pageSize);
    }

    @Override
    public void destroyPool(final int pool)
    {
        if (pageSizes.remove(pool) == null)
        {
            throw new IllegalArgumentException("pool " + pool + " is unknown or destroyed");
        }
        if (pool < DEAD_POOL_BASE)
        {
            call(HostProtocol.DESTROY, pool, 0, 0, 0, 0, 0, null, null);
        }
    }

    @Override
    public int put(final int pool, final long a, final long b, final long c, final int index, final MemorySegment page)
    {
        requirePage(pool, page, "page");
        final int answer = call(HostProtocol.PUT, pool, a, b, c, index, 0, page, null);
        return answer == Integer.MIN_VALUE ? GONE : answer;
    }

    @Override
    public boolean get(final int pool, final long a, final long b, final long c, final int index,
        final MemorySegment dst)
    {
        requirePage(pool, dst, "dst");
        try
        {
            return call(HostProtocol.GET, pool, a, b, c, index, 0, null, dst) > 0;
        }
        catch (final CorruptDataException ex)
        {
            // damaged at the daemon, or on the way: dropped there, as a store drops a page it finds corrupt
            invalidatePage(pool, a, b, c, index);
            throw new CorruptPageException("page " + index + " of object " + a + "/" + b + "/" + c + " in pool "
                + pool + " from the host daemon is corrupt and was dropped: " + ex.getMessage(), ex);
        }
    }

    @Override
    public boolean invalidatePage(final int pool, final long a, final long b, final long c, final int index)
    {
        requirePool(pool);
        return call(HostProtocol.FLUSH_PAGE, pool, a, b, c, index, 0, null, null) == 1;
    }

    @Override
    public int invalidateObject(final int pool, final long a, final long b, final long c)
    {
        requirePool(pool);
        return Math.max(0, call(HostProtocol.FLUSH_OBJECT, pool, a, b, c, 0, 0, null, null));
    }

    /**
     * Sets this client's share at the daemon: a put is refused while the client holds that many bytes' worth of
     * pages (of every kind, a page counted whole). The daemon counts the moves ({@code ./tmem4j stat
     * --host-socket}: {@code share}, {@code moves}).
     *
     * @param bytes at least a page (4096); {@link Long#MAX_VALUE} for no share limit.
     * @throws IllegalArgumentException if below a page.
     */
    public void shareBytes(final long bytes)
    {
        if (bytes < PageSizes.MIN)
        {
            throw new IllegalArgumentException("a share must be at least a page, 4096 bytes, got " + bytes);
        }
        call(HostProtocol.SHARE, 0, bytes, 0, 0, 0, 0, null, null);
        shareBytes = bytes;
    }

    /**
     * {@return the share at the daemon this client last set, or {@link Long#MAX_VALUE} for none}
     */
    public long shareBytes()
    {
        return shareBytes;
    }

    /**
     * {@return this client's share at the daemon as a budget a {@link Selfballoon} moves; its pages are in the
     * daemon, so none of this JVM's memory}
     */
    public BalloonedBudget share()
    {
        return new BalloonedBudget()
        {
            @Override
            public long budgetBytes()
            {
                return shareBytes;
            }

            @Override
            public void budgetBytes(final long bytes)
            {
                shareBytes(bytes);
            }

            @Override
            public long reservedBytes()
            {
                return 0;
            }
        };
    }

    /**
     * {@return the selfballoon moving this client's share, or {@code null} without {@code selfballoon.enabled}}
     */
    public Selfballoon selfballoon()
    {
        return selfballoon;
    }

    /**
     * Asks the daemon what its store is built of and how full it is.
     *
     * @return the store's figures, every client's pages together.
     * @throws IllegalStateException if the daemon is gone.
     */
    public HostStoreFigures storeFigures()
    {
        final MemorySegment figures = MemorySegment.ofArray(new byte[PageSizes.MIN]);
        final int length = call(HostProtocol.STORE_FIGURES, 0, 0, 0, 0, 0, 0, null, figures);
        if (length == Integer.MIN_VALUE)
        {
            throw new IllegalStateException("the host daemon at " + socket + " is gone");
        }
        return HostStoreFigures.readFrom(figures, length);
    }

    /**
     * {@return how this client's waits for the daemon's answers went: spun or slept, and the wake-up bytes it sent}
     * Source kind {@code host}, name {@code client-handoffs} (the README's counters table lists them).
     */
    public CounterSource handoffCounters()
    {
        return HandoffCounters.CATALOG.source("host", "client-handoffs", () -> handoffs);
    }

    /**
     * Disconnects; the daemon frees this client's private pools. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        goneNow();
        // every slot back from the calls that held it (a gone backend's calls end within a spin), then its codec
        // freed; a call that takes a slot after this finds the backend gone and leaves the slot untouched
        for (int i = 0; i < slots.length; i++)
        {
            free.take().decoder.close();
        }
        for (final Slot slot : slots)
        {
            free.release(slot);
        }
    }

    @Override
    public String toString()
    {
        return "HostBackend{" + socket + ", client " + clientId + (isGone() ? ", gone}" : "}");
    }

    private int createPool(final int op, final long uuidHi, final long uuidLo, final int pageSize)
    {
        PageSizes.checkPageSize("pageSize", pageSize);
        int pool = call(op, 0, uuidHi, uuidLo, 0, 0, pageSize, null, null);
        if (pool == Integer.MIN_VALUE)
        {
            pool = deadPools.getAndIncrement();
        }
        pageSizes.put(pool, pageSize);
        return pool;
    }

    /**
     * One request on a free slot.
     *
     * @return the daemon's answer, or {@link Integer#MIN_VALUE} if the daemon is gone.
     */
    private int call(final int op, final int pool, final long a, final long b, final long c, final int index,
        final int arg, final MemorySegment in, final MemorySegment out)
    {
        if (isGone() || pool >= DEAD_POOL_BASE)
        {
            return Integer.MIN_VALUE;
        }
        final boolean interrupted = Thread.interrupted();
        final Slot slot = free.take();
        try
        {
            if (isGone())
            {
                return Integer.MIN_VALUE;
            }
            if (in != null)
            {
                MemorySegment.copy(in, 0, slot.page, 0, in.byteSize());
            }
            SlotHandoff.writeRequest(slot.header, op, pool, a, b, c, index, arg);
            final int round = slot.round = SlotHandoff.nextRound(slot.round);
            SlotHandoff.post(slot.header, SlotHandoff.REQUEST, SlotHandoff.DAEMON_ASLEEP, round, slot::sendWake,
                handoffs);
            if (!SlotHandoff.await(slot.header, SlotHandoff.RESPONSE, SlotHandoff.CLIENT_ASLEEP, round, spinNanos,
                slot::awaitWake, slot.eager, handoffs))
            {
                throw new EOFException("host daemon closed the connection");
            }
            final int status = SlotHandoff.status(slot.header);
            final int value = SlotHandoff.value(slot.header);
            switch (status)
            {
                case HostProtocol.STATUS_OK ->
                {
                    if (op == HostProtocol.GET && value != 0)
                    {
                        slot.readPage(value, out);
                    }
                    else if (op == HostProtocol.STORE_FIGURES)
                    {
                        // the figures, however long the daemon says they are, within out
                        MemorySegment.copy(slot.page, 0, out, 0, out.byteSize());
                    }
                    return value;
                }
                case HostProtocol.STATUS_CORRUPT ->
                    throw new CorruptPageException("host daemon: " + SlotHandoff.message(slot.header, slot.page),
                        null);
                case HostProtocol.STATUS_NO_POOL, HostProtocol.STATUS_BAD_ARGUMENT ->
                    throw new IllegalArgumentException("host daemon: " + SlotHandoff.message(slot.header, slot.page));
                case HostProtocol.STATUS_DENIED ->
                    throw new IllegalStateException("host daemon: " + SlotHandoff.message(slot.header, slot.page));
                default -> throw new IOException("host daemon ended client " + clientId + ": "
                    + SlotHandoff.message(slot.header, slot.page));
            }
        }
        catch (final IOException | ClosedSelectorException | CancelledKeyException ex)
        {
            // the daemon went, or went while this call waited and the watcher closed the slot
            goneNow();
            return Integer.MIN_VALUE;
        }
        finally
        {
            free.release(slot);
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void fill(final Slot slot, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            final int read = slot.channel.read(buffer);
            if (read < 0)
            {
                throw new EOFException("host daemon closed the connection");
            }
            if (read == 0)
            {
                slot.selector.select();
                slot.selector.selectedKeys().clear();
                // an interrupt wakes select without closing anything; the caller restores the status
                Thread.interrupted();
            }
        }
    }

    /**
     * Blocks on the control connection, where the daemon never writes after the handshake: its end is the
     * daemon's end.
     */
    private void watch()
    {
        final ByteBuffer one = ByteBuffer.allocate(1);
        try
        {
            while (control.read(one) >= 0)
            {
                one.clear();
            }
        }
        catch (final IOException ignored)
        {
            // closed by us or reset by the daemon: gone either way
        }
        goneNow();
    }

    private void goneNow()
    {
        synchronized (gone)
        {
            if (isGone())
            {
                return;
            }
            gone.countDown();
        }
        final Selfballoon balloon = selfballoon;
        if (balloon != null)
        {
            balloon.close();
        }
        closeQuietly(control);
        for (final Slot slot : slots)
        {
            slot.close();
        }
    }

    private void requirePool(final int pool)
    {
        if (!pageSizes.containsKey(pool))
        {
            throw new IllegalArgumentException("pool " + pool + " is unknown or destroyed");
        }
    }

    private void requirePage(final int pool, final MemorySegment page, final String name)
    {
        final Integer pageSize = pageSizes.get(pool);
        if (pageSize == null)
        {
            throw new IllegalArgumentException("pool " + pool + " is unknown or destroyed");
        }
        if (page == null || page.byteSize() != pageSize)
        {
            throw new IllegalArgumentException(name + " must be exactly the pool's page size of " + pageSize
                + " bytes, got " + (page == null ? "null" : page.byteSize() + " bytes"));
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
            // nothing more to do with a channel we are leaving
        }
    }
}
