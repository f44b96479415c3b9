package org.tmem4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * The slot handoff between a client thread and a daemon thread over one header, with the socket replaced by two
 * queues that count the wake-up bytes: with a long spin no request needs a byte; with no spin every handoff
 * sleeps and none is lost; each answer belongs to its request; a stray byte is refused.
 */
class SlotHandoffTest
{
    private static final int REQUESTS = 5_000;

    @Test
    void aLongSpinNeedsNoWakeUpAndNoSpinLosesNone() throws Exception
    {
        assertEquals(0, exchange(TimeUnit.SECONDS.toNanos(30)), "wake-up bytes with a 30 s spin");
        assertTrue(exchange(0) >= REQUESTS, "with no spin every handoff sleeps and is woken");
    }

    /**
     * @return wake-up bytes sent by both sides.
     */
    private static long exchange(final long spinNanos) throws Exception
    {
        try (Arena arena = Arena.ofShared())
        {
            final MemorySegment header = arena.allocate(SlotHandoff.HEADER_BYTES, 64);
            final MemorySegment page = arena.allocate(4096);
            final BlockingQueue<Integer> toDaemon = new LinkedBlockingQueue<>();
            final BlockingQueue<Integer> toClient = new LinkedBlockingQueue<>();
            final AtomicLong wakes = new AtomicLong();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread daemon = Thread.ofPlatform().start(() ->
            {
                try
                {
                    for (int i = 0; i < REQUESTS; i++)
                    {
                        assertTrue(SlotHandoff.await(header, SlotHandoff.REQUEST, SlotHandoff.DAEMON_ASLEEP,
                            spinNanos, () -> take(toDaemon)));
                        SlotHandoff.writeResponse(header, page, HostProtocol.STATUS_OK,
                            (int)(SlotHandoff.a(header) * 2), null);
                        SlotHandoff.post(header, SlotHandoff.RESPONSE, SlotHandoff.CLIENT_ASLEEP, () ->
                        {
                            wakes.incrementAndGet();
                            toClient.add((int)SlotHandoff.WAKE);
                        });
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            for (int i = 0; i < REQUESTS && failure.get() == null; i++)
            {
                SlotHandoff.writeRequest(header, HostProtocol.GET, 0, i, 0, 0, 0, 0);
                SlotHandoff.post(header, SlotHandoff.REQUEST, SlotHandoff.DAEMON_ASLEEP, () ->
                {
                    wakes.incrementAndGet();
                    toDaemon.add((int)SlotHandoff.WAKE);
                });
                assertTrue(SlotHandoff.await(header, SlotHandoff.RESPONSE, SlotHandoff.CLIENT_ASLEEP, spinNanos,
                    () -> take(toClient)));
                assertEquals(2 * i, SlotHandoff.value(header), "the answer to request " + i);
            }
            daemon.join();
            if (failure.get() != null)
            {
                throw new AssertionError("the daemon side failed", failure.get());
            }
            assertTrue(toDaemon.isEmpty() && toClient.isEmpty(), "every wake-up byte was awaited");
            return wakes.get();
        }
    }

    private static int take(final BlockingQueue<Integer> socket) throws IOException
    {
        try
        {
            return socket.take();
        }
        catch (final InterruptedException ex)
        {
            throw new IOException("interrupted waiting for a wake-up byte", ex);
        }
    }

    @Test
    void aStrayByteOrAWakeUpWithoutARequestIsRefused()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment header = arena.allocate(SlotHandoff.HEADER_BYTES, 64);
            assertThrows(IOException.class, () -> SlotHandoff.await(header, SlotHandoff.REQUEST,
                SlotHandoff.DAEMON_ASLEEP, 0, () -> 1));
            assertThrows(IOException.class, () -> SlotHandoff.await(header, SlotHandoff.REQUEST,
                SlotHandoff.DAEMON_ASLEEP, 0, () -> SlotHandoff.WAKE));
            assertEquals(false, awaitOnAnEndedSocket(header), "a socket that ends is the end, not an error");
        }
    }

    private static boolean awaitOnAnEndedSocket(final MemorySegment header)
    {
        try
        {
            return SlotHandoff.await(header, SlotHandoff.REQUEST, SlotHandoff.DAEMON_ASLEEP, 0, () -> -1);
        }
        catch (final IOException ex)
        {
            throw new AssertionError("a socket that ends is not a protocol error", ex);
        }
    }
}
