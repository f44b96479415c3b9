package org.tmem4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Pages;

/**
 * Random, forged and truncated frames against a live daemon while another client's traffic is checked byte for
 * byte: the daemon answers or drops the offender, never crashes, and the honest client notices nothing.
 */
class HostFuzzTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int CONNECTIONS = Integer.getInteger("tmem4j.host.fuzzConnections", 1500);

    @TempDir
    Path dir;

    @Test
    void hostileClientsReachNothingOfTheDaemonOrTheHonestClient() throws Exception
    {
        final String context = "seed " + SEED + " (-Dtmem4j.seed=" + SEED + ")";
        try (HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder().hostSocket(dir.resolve("h/host.sock"))
            .budgetBytes(32 << 20).build(), HostConfig.defaults());
            HostBackend honest = HostBackend.connect(daemon.socket(), 2))
        {
            final int pool = honest.createPersistentPool(4096);
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong verified = new AtomicLong();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread traffic = Thread.ofPlatform().start(() ->
            {
                final long[] tags = new long[64];
                try (Arena arena = Arena.ofConfined())
                {
                    final MemorySegment page = arena.allocate(4096);
                    long tag = 1;
                    for (int i = 0; !stop.get(); i++)
                    {
                        final int index = i & 63;
                        if (tags[index] != 0)
                        {
                            assertTrue(honest.get(pool, 5, 6, 7, index, page), "honest page " + index);
                            assertTrue(Pages.matches(page, tags[index]), "honest page " + index + " bytes");
                            verified.incrementAndGet();
                        }
                        Pages.fill(page, ++tag);
                        assertEquals(Backend.STORED, honest.put(pool, 5, 6, 7, index, page));
                        tags[index] = tag;
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            final SplittableRandom random = new SplittableRandom(SEED);
            for (int i = 0; i < CONNECTIONS && failure.get() == null; i++)
            {
                fuzzOne(daemon.socket(), honest.clientId(), random);
            }
            stop.set(true);
            traffic.join();
            if (failure.get() != null)
            {
                throw new AssertionError(context + ": the honest client saw " + failure.get(), failure.get());
            }
            assertTrue(verified.get() > 0, context);
            assertFalse(honest.isGone(), context);
            Conditions.await(() -> daemon.clients() == 1, context + ": every hostile client ends");
            assertEquals(64, daemon.zcache().stats().storedPages(), context + ": hostile pools are all freed");
        }
    }

    private static void fuzzOne(final Path socket, final int honestId, final SplittableRandom random)
        throws IOException
    {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket)))
        {
            final ByteBuffer request = HostProtocol.buffer(HostProtocol.REQUEST_BYTES);
            switch (random.nextInt(5))
            {
                case 0 ->
                {
                    // noise, often shorter than a frame
                    final byte[] noise = new byte[random.nextInt(120)];
                    random.nextBytes(noise);
                    HostProtocol.writeFully(channel, ByteBuffer.wrap(noise));
                }
                case 1 ->
                {
                    // a join to the honest client (or another) with a guessed token and slot
                    HostProtocol.putRequest(request, HostProtocol.JOIN, 0, random.nextBoolean() ? honestId
                        : random.nextInt(), random.nextLong(), random.nextLong(), random.nextInt(-2, 4), 0);
                    HostProtocol.writeFully(channel, request);
                    drain(channel);
                }
                case 2 ->
                {
                    // a hello that is wrong in one field: the protocol, or the slot count
                    final boolean magic = random.nextBoolean();
                    final int slots = random.nextBoolean() ? random.nextInt(-5, 1)
                        : random.nextInt(HostProtocol.MAX_SLOTS + 1, 1000);
                    HostProtocol.putRequest(request, HostProtocol.HELLO, 0, magic ? HostProtocol.MAGIC
                        : random.nextLong(), 0, 0, magic ? slots : 1, 0);
                    HostProtocol.writeFully(channel, request);
                    drain(channel);
                }
                default -> hostileSession(socket, channel, random);
            }
        }
    }

    /**
     * A real session: hello, join, then random requests through the shared header, forged pools, bytes on the slot's
     * socket that are no wake-up, turns and flags scribbled over while a request is in service, and sessions cut
     * off mid-request.
     */
    private static void hostileSession(final Path socket, final SocketChannel control, final SplittableRandom random)
        throws IOException
    {
        final ByteBuffer request = HostProtocol.buffer(HostProtocol.REQUEST_BYTES);
        final ByteBuffer response = HostProtocol.buffer(HostProtocol.RESPONSE_HEADER_BYTES);
        HostProtocol.putRequest(request, HostProtocol.HELLO, 0, HostProtocol.MAGIC, 0, 0, 1, 0);
        final Welcome welcome = Welcome.decode(HostProtocol.exchange(control, request, response));
        final int id = response.getInt(4);
        final Path region = welcome.region();
        try (SocketChannel slot = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            FileChannel file = FileChannel.open(region, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MemorySegment mapped = file.map(FileChannel.MapMode.READ_WRITE, 0, HostProtocol.regionBytes(1),
                Arena.ofAuto());
            final MemorySegment header = HostProtocol.slotHeader(mapped, 0);
            final MemorySegment page = HostProtocol.slotPage(mapped, 1, 0);
            HostProtocol.putRequest(request, HostProtocol.JOIN, 0, id, welcome.tokenHi(), welcome.tokenLo(), 0, 0);
            HostProtocol.exchange(slot, request, response);
            final SlotHandoff.ByteWait awaitWake = SlotHandoff.blockingWait(slot);
            final SlotHandoff.ByteSend sendWake = SlotHandoff.blockingSend(slot);
            final HandoffCounters handoffs = new HandoffCounters();
            final EagerSpin eager = new EagerSpin();
            final int[] ops = {HostProtocol.CREATE_EPHEMERAL, HostProtocol.CREATE_PERSISTENT,
                HostProtocol.CREATE_SHARED, HostProtocol.DESTROY, HostProtocol.PUT, HostProtocol.GET,
                HostProtocol.FLUSH_PAGE, HostProtocol.FLUSH_OBJECT, HostProtocol.STORE_FIGURES, HostProtocol.HELLO,
                HostProtocol.JOIN, HostProtocol.MAPPED, HostProtocol.STATUS, random.nextInt()};
            final int requests = random.nextInt(40);
            for (int r = 0; r < requests; r++)
            {
                final int round = SlotHandoff.nextRound(r);
                final int op = ops[random.nextInt(ops.length)];
                final int pageSize = random.nextInt(4) == 0 ? random.nextInt() : 4096 << random.nextInt(5);
                Pages.fill(page.asSlice(0, 4096), random.nextLong());
                SlotHandoff.writeRequest(header, op, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(3),
                    random.nextInt(3) - 1, random.nextInt(3) - 1, random.nextInt(3) - 1, random.nextInt(-1, 20),
                    pageSize);
                switch (random.nextInt(40))
                {
                    case 0 ->
                    {
                        // a byte on the socket that is no wake-up, or a wake-up with no request posted
                        HostProtocol.writeFully(slot, ByteBuffer.wrap(new byte[] {random.nextBoolean()
                            ? (byte)random.nextInt(256) : SlotHandoff.WAKE}));
                        drain(slot);
                        return;
                    }
                    case 1 ->
                    {
                        // posted, then the whole header scribbled over while it is served, then gone
                        SlotHandoff.post(header, SlotHandoff.REQUEST, SlotHandoff.DAEMON_ASLEEP, round, sendWake,
                            handoffs);
                        final byte[] noise = new byte[SlotHandoff.HEADER_BYTES];
                        random.nextBytes(noise);
                        MemorySegment.copy(noise, 0, header, java.lang.foreign.ValueLayout.JAVA_BYTE, 0,
                            noise.length);
                        return;
                    }
                    case 2 ->
                    {
                        // posted and cut off before the answer
                        SlotHandoff.post(header, SlotHandoff.REQUEST, SlotHandoff.DAEMON_ASLEEP, round, sendWake,
                            handoffs);
                        return;
                    }
                    default ->
                    {
                        SlotHandoff.post(header, SlotHandoff.REQUEST, SlotHandoff.DAEMON_ASLEEP, round, sendWake,
                            handoffs);
                        if (!SlotHandoff.await(header, SlotHandoff.RESPONSE, SlotHandoff.CLIENT_ASLEEP, round,
                            random.nextBoolean() ? 0 : 20_000, awaitWake, eager, handoffs))
                        {
                            return;
                        }
                        final int status = SlotHandoff.status(header);
                        assertTrue(status <= HostProtocol.STATUS_OK && status >= HostProtocol.STATUS_BAD_ARGUMENT,
                            "status " + status);
                        SlotHandoff.message(header, page);
                        if (status == HostProtocol.STATUS_PROTOCOL)
                        {
                            assertEquals(-1, slot.read(ByteBuffer.allocate(1)), "the daemon drops a protocol "
                                + "breaker");
                            return;
                        }
                    }
                }
            }
        }
    }

    /** Reads what the daemon answers until it closes the connection. */
    private static void drain(final SocketChannel channel) throws IOException
    {
        final ByteBuffer sink = ByteBuffer.allocate(4096);
        while (channel.read(sink) >= 0)
        {
            sink.clear();
        }
    }
}
