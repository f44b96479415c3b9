package org.tmem4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * The slot handoff between a client thread and a daemon thread over one header, with the socket replaced by two
 * queues that count the wake-up bytes: with a long spin no request needs a byte and every wait ends spinning; with no
 * spin every handoff sleeps and none is lost; each answer belongs to its request; a poster stalled before clearing
 * the flag wakes no later round; a stray byte is refused.
 */
class SlotHandoffTest
{
    private static final int REQUESTS = 5_000;

    @Test
    void aLongSpinNeedsNoWakeUpAndNoSpinLosesNone() throws Exception
    {
        final HandoffCounters spinning = new HandoffCounters();
        assertEquals(0, exchange(TimeUnit.SECONDS.toNanos(30), spinning), "wake-up bytes with a 30 s spin");
        assertEquals(List.of(2L * REQUESTS, 0L, 0L), counts(spinning), "spun, slept, woken with a 30 s spin");
        assertTrue(spinning.yielded.sum() <= 2L * REQUESTS, "yielded handoffs are some of the spun ones");
        final HandoffCounters sleeping = new HandoffCounters();
        final long wakes = exchange(0, sleeping);
        assertTrue(wakes >= REQUESTS, "with no spin every handoff sleeps and is woken");
        assertEquals(List.of(0L, 2L * REQUESTS, wakes), counts(sleeping), "spun, slept, woken with no spin");
        assertEquals(0, sleeping.yielded.sum(), "no spin, no yield");
    }

    private static List<Long> counts(final HandoffCounters counters)
    {
        return List.of(counters.spun.sum(), counters.slept.sum(), counters.wakeupsSent.sum());
    }

    /**
     * @param counters both sides' handoffs.
     * @return wake-up bytes sent by both sides.
     */
    private static long exchange(final long spinNanos, final HandoffCounters counters) throws Exception
    {
        try (Arena arena = Arena.ofShared())
        {
            final MemorySegment header = arena.allocate(SlotHandoff.HEADER_BYTES, 64);
            final MemorySegment page = arena.allocate(4096);
            final BlockingQueue<Integer> toDaemon = new LinkedBlockingQueue<>();
            final BlockingQueue<Integer> toClient = new LinkedBlockingQueue<>();
            final AtomicLong wakes = new AtomicLong();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final EagerSpin daemonSpin = new EagerSpin();
            final EagerSpin clientSpin = new EagerSpin();
            final Thread daemon = Thread.ofPlatform().start(() ->
            {
                try
                {
                    for (int i = 0; i < REQUESTS; i++)
                    {
                        final int round = SlotHandoff.nextRound(i);
                        assertTrue(SlotHandoff.await(header, SlotHandoff.REQUEST, SlotHandoff.DAEMON_ASLEEP, round,
                            spinNanos, () -> take(toDaemon), daemonSpin, counters));
                        SlotHandoff.writeResponse(header, page, HostProtocol.STATUS_OK,
                            (int)(SlotHandoff.a(header) * 2), null);
                        SlotHandoff.post(header, SlotHandoff.RESPONSE, SlotHandoff.CLIENT_ASLEEP, round, () ->
                        {
                            wakes.incrementAndGet();
                            toClient.add((int)SlotHandoff.WAKE);
                        }, counters);
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            for (int i = 0; i < REQUESTS && failure.get() == null; i++)
            {
                final int round = SlotHandoff.nextRound(i);
                SlotHandoff.writeRequest(header, HostProtocol.GET, 0, i, 0, 0, 0, 0);
                SlotHandoff.post(header, SlotHandoff.REQUEST, SlotHandoff.DAEMON_ASLEEP, round, () ->
                {
                    wakes.incrementAndGet();
                    toDaemon.add((int)SlotHandoff.WAKE);
                }, counters);
                assertTrue(SlotHandoff.await(header, SlotHandoff.RESPONSE, SlotHandoff.CLIENT_ASLEEP, round, spinNanos,
                    () -> take(toClient), clientSpin, counters));
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

    /**
     * A daemon thread stalls between seeing the client asleep in round 1 and clearing its flag; the client meanwhile
     * wins its own flag, reads the answer, posts round 2 and goes to sleep again. The stalled clear must not wake
     * round 2 (its byte would come with the old turn and end the client); round 2's own answer must.
     */
    @Test
    void aPosterStalledBeforeClearingTheFlagWakesNoLaterRound() throws Exception
    {
        try (Arena arena = Arena.ofShared())
        {
            final MemorySegment header = arena.allocate(SlotHandoff.HEADER_BYTES, 64);
            final BlockingQueue<Integer> toClient = new LinkedBlockingQueue<>();
            final HandoffCounters counters = new HandoffCounters();
            final SlotHandoff.ByteSend send = () -> toClient.add((int)SlotHandoff.WAKE);
            SlotHandoff.post(header, SlotHandoff.REQUEST, SlotHandoff.DAEMON_ASLEEP, 2, send, counters);
            final AtomicReference<Object> outcome = new AtomicReference<>();
            final Thread client = Thread.ofPlatform().start(() ->
            {
                try
                {
                    outcome.set(SlotHandoff.await(header, SlotHandoff.RESPONSE, SlotHandoff.CLIENT_ASLEEP, 2, 0,
                        () -> take(toClient), new EagerSpin(), counters));
                }
                catch (final IOException ex)
                {
                    outcome.set(ex);
                }
            });
            while (header.get(java.lang.foreign.ValueLayout.JAVA_INT, SlotHandoff.CLIENT_ASLEEP) != 2)
            {
                Thread.onSpinWait();
            }
            SlotHandoff.wakeIfAsleep(header, SlotHandoff.CLIENT_ASLEEP, 1, send, counters);
            assertTrue(toClient.isEmpty(), "round 1's stalled poster sent a byte into round 2");
            SlotHandoff.post(header, SlotHandoff.RESPONSE, SlotHandoff.CLIENT_ASLEEP, 2, send, counters);
            client.join();
            assertEquals(Boolean.TRUE, outcome.get(), "round 2 ends with its own answer");
            assertEquals(1, counters.wakeupsSent.sum(), "one wake-up byte, round 2's");
        }
    }

    @Test
    void aStrayByteOrAWakeUpWithoutARequestIsRefused()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment header = arena.allocate(SlotHandoff.HEADER_BYTES, 64);
            assertThrows(IOException.class, () -> SlotHandoff.await(header, SlotHandoff.REQUEST,
                SlotHandoff.DAEMON_ASLEEP, 1, 0, () -> 1, new EagerSpin(), new HandoffCounters()));
            assertThrows(IOException.class, () -> SlotHandoff.await(header, SlotHandoff.REQUEST,
                SlotHandoff.DAEMON_ASLEEP, 1, 0, () -> SlotHandoff.WAKE, new EagerSpin(), new HandoffCounters()));
            assertEquals(false, awaitOnAnEndedSocket(header), "a socket that ends is the end, not an error");
        }
    }

    private static boolean awaitOnAnEndedSocket(final MemorySegment header)
    {
        try
        {
            return SlotHandoff.await(header, SlotHandoff.REQUEST, SlotHandoff.DAEMON_ASLEEP, 1, 0, () -> -1,
                new EagerSpin(), new HandoffCounters());
        }
        catch (final IOException ex)
        {
            throw new AssertionError("a socket that ends is not a protocol error", ex);
        }
    }
}
