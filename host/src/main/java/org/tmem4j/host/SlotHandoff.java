package org.tmem4j.host;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A request slot's header in the client's shared region, and the handoff of the slot between the client and the
 * daemon through it: a request and its answer cross in shared memory, and the slot's socket carries only a wake-up
 * byte, and only when the other side has gone to sleep.
 * <pre>
 *   header (HEADER_BYTES, native order)
 *     0  int turn           IDLE, REQUEST (the daemon's to serve) or RESPONSE (the client's to read)
 *     4  int daemonAsleep   the round in which the daemon is blocked on the slot's socket and needs a
 *                           wake-up byte; 0 while awake
 *     8  int clientAsleep   the same for the client
 *    16  request            int op | int pool | long a | long b | long c | int index | int arg
 *    64  response           int status | int value | int length (of the message in the slot's page area)
 * </pre>
 * <b>Handoff</b> (a futex over a socket): a side that posts stores its turn, then, if the other side's asleep flag
 * is set and it wins clearing it, sends one {@link #WAKE} byte. A side that waits spins a bounded time on the turn;
 * then it sets its asleep flag, looks once more, and either wins clearing its flag itself (the turn came: no byte
 * will come) or blocks on the socket for the byte (the poster won: the byte is on its way). Both flags and the turn
 * are volatile, so of a poster's store-then-load and a sleeper's store-then-load at least one sees the other's store:
 * no wake-up is lost.
 * <p>
 * <b>Rounds.</b> An asleep flag holds the round it sleeps in (both sides count a slot's requests, from 1; 0 is
 * awake), and a poster clears only its own round's. With a plain 1, a poster preempted between reading the flag and
 * clearing it could wake the next round: the waiter wins its own flag and returns, the answer is read, the next
 * request is posted and its waiter goes to sleep, setting 1 again; the stalled poster then clears that flag and sends
 * a byte that arrives with the old turn, which ends the client as a protocol breach (seen on a loaded machine).
 * <p>
 * <b>Trust.</b> The client can write anything here at any time. The daemon reads each request field once into a
 * local before checking it, a wake-up byte that is not {@link #WAKE} or that comes with no request posted ends the
 * client, and a client that never sends an owed byte stalls only its own slot.
 */
final class SlotHandoff
{
    /** Bytes of one slot's header: two cache lines, so that neighbouring slots share none. */
    static final int HEADER_BYTES = 128;

    static final int IDLE = 0;
    static final int REQUEST = 1;
    static final int RESPONSE = 2;
    static final long DAEMON_ASLEEP = 4;
    static final long CLIENT_ASLEEP = 8;
    /** The one byte either side sends on a slot's socket after its handshake. */
    static final byte WAKE = 0x57;

    private static final long TURN = 0;
    private static final long OP = 16;
    private static final long POOL = 20;
    private static final long A = 24;
    private static final long B = 32;
    private static final long C = 40;
    private static final long INDEX = 48;
    private static final long ARG = 52;
    private static final long STATUS = 64;
    private static final long VALUE = 68;
    private static final long LENGTH = 72;
    /**
     * Spin iterations between yields once the eager spin (see {@link EagerSpin}) is over: a waiter on a busy machine
     * lends its core to whoever it waits for. Short (a spin wait is some 50 ns on x86), because where both sides
     * share one core every spin is time the other side cannot run: 64 between yields made a round trip on a shared
     * core 6.3 µs, 8 makes it 3.7 µs.
     */
    private static final int SPINS_PER_YIELD = 8;
    /**
     * A yield that returns later than this gave the core away: another thread ran on it, maybe the other side. One
     * with no one else to run is a system call, well under a microsecond.
     */
    private static final long CORE_LOST_NANOS = 2_000;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final ValueLayout.OfInt PLAIN_INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong PLAIN_LONG = ValueLayout.JAVA_LONG;

    /** Blocks until the slot's socket brings one byte. */
    @FunctionalInterface
    interface ByteWait
    {
        /**
         * @return the byte, or -1 if the socket ended.
         */
        int awaitByte() throws IOException;
    }

    /** Sends one {@link #WAKE} byte on the slot's socket. */
    @FunctionalInterface
    interface ByteSend
    {
        void sendWake() throws IOException;
    }

    private SlotHandoff()
    {
    }

    /**
     * {@return a wait for one byte on a blocking channel}
     */
    static ByteWait blockingWait(final SocketChannel channel)
    {
        final ByteBuffer one = ByteBuffer.allocate(1);
        return () ->
        {
            one.clear();
            return channel.read(one) < 0 ? -1 : one.get(0);
        };
    }

    /**
     * {@return a wake-up sender on a blocking channel}
     */
    static ByteSend blockingSend(final SocketChannel channel)
    {
        final ByteBuffer one = ByteBuffer.allocate(1);
        return () -> HostProtocol.writeFully(channel, one.clear().put(WAKE).flip());
    }

    /**
     * Writes a request into the header (the post that follows publishes it).
     */
    static void writeRequest(final MemorySegment header, final int op, final int pool, final long a, final long b,
        final long c, final int index, final int arg)
    {
        header.set(PLAIN_INT, OP, op);
        header.set(PLAIN_INT, POOL, pool);
        header.set(PLAIN_LONG, A, a);
        header.set(PLAIN_LONG, B, b);
        header.set(PLAIN_LONG, C, c);
        header.set(PLAIN_INT, INDEX, index);
        header.set(PLAIN_INT, ARG, arg);
    }

    static int op(final MemorySegment header)
    {
        return header.get(PLAIN_INT, OP);
    }

    static int pool(final MemorySegment header)
    {
        return header.get(PLAIN_INT, POOL);
    }

    static long a(final MemorySegment header)
    {
        return header.get(PLAIN_LONG, A);
    }

    static long b(final MemorySegment header)
    {
        return header.get(PLAIN_LONG, B);
    }

    static long c(final MemorySegment header)
    {
        return header.get(PLAIN_LONG, C);
    }

    static int index(final MemorySegment header)
    {
        return header.get(PLAIN_INT, INDEX);
    }

    static int arg(final MemorySegment header)
    {
        return header.get(PLAIN_INT, ARG);
    }

    /**
     * Writes an answer into the header, its message (if any) into the slot's page area, cut to fit.
     */
    static void writeResponse(final MemorySegment header, final MemorySegment page, final int status,
        final int value, final String message)
    {
        int length = 0;
        if (message != null)
        {
            final byte[] text = message.getBytes(StandardCharsets.UTF_8);
            length = (int)Math.min(text.length, page.byteSize());
            MemorySegment.copy(text, 0, page, ValueLayout.JAVA_BYTE, 0, length);
        }
        header.set(PLAIN_INT, STATUS, status);
        header.set(PLAIN_INT, VALUE, value);
        header.set(PLAIN_INT, LENGTH, length);
    }

    static int status(final MemorySegment header)
    {
        return header.get(PLAIN_INT, STATUS);
    }

    static int value(final MemorySegment header)
    {
        return header.get(PLAIN_INT, VALUE);
    }

    /**
     * {@return the answer's message from the page area}
     *
     * @throws IOException if its length does not fit the page area.
     */
    static String message(final MemorySegment header, final MemorySegment page) throws IOException
    {
        final int length = header.get(PLAIN_INT, LENGTH);
        if (length < 0 || length > page.byteSize())
        {
            throw new IOException("host daemon answered a message of " + length + " bytes");
        }
        final byte[] text = new byte[length];
        MemorySegment.copy(page, ValueLayout.JAVA_BYTE, 0, text, 0, length);
        return new String(text, StandardCharsets.UTF_8);
    }

    /**
     * {@return the round after {@code round}: a slot's first round is {@code nextRound(0)}; 0 is never a round}
     */
    static int nextRound(final int round)
    {
        final int next = round + 1;
        return next == 0 ? 1 : next;
    }

    /**
     * Hands the slot over: stores the turn and wakes the other side if it sleeps.
     *
     * @param turn        {@link #REQUEST} (the client posts) or {@link #RESPONSE} (the daemon answers).
     * @param otherAsleep the other side's flag: {@link #DAEMON_ASLEEP} or {@link #CLIENT_ASLEEP}.
     * @param round       the slot's round: which request this turn belongs to.
     * @param send        sends the wake-up byte.
     * @param counters    counts the byte sent.
     */
    static void post(final MemorySegment header, final int turn, final long otherAsleep, final int round,
        final ByteSend send, final HandoffCounters counters) throws IOException
    {
        INT.setVolatile(header, TURN, turn);
        wakeIfAsleep(header, otherAsleep, round, send, counters);
    }

    /**
     * The second half of {@link #post}: sends the wake-up byte if the other side sleeps in this round and this side
     * wins clearing its flag.
     */
    static void wakeIfAsleep(final MemorySegment header, final long otherAsleep, final int round,
        final ByteSend send, final HandoffCounters counters) throws IOException
    {
        if ((int)INT.getVolatile(header, otherAsleep) == round && INT.compareAndSet(header, otherAsleep, round, 0))
        {
            counters.wakeupsSent.increment();
            send.sendWake();
        }
    }

    /**
     * Waits for the slot to be handed over: spins up to {@code spinNanos} (eagerly first, then yielding between
     * spins), then sleeps on the socket.
     *
     * @param turn      the turn awaited.
     * @param ownAsleep this side's flag.
     * @param round     the slot's round: which request the awaited turn belongs to.
     * @param spinNanos how long to spin before sleeping; 0 sleeps at once.
     * @param wait      blocks for one byte of the socket.
     * @param eager     this side's eager spin, which learns from this wait.
     * @param counters  counts whether the turn came while spinning (and yielding) or while asleep.
     * @return {@code false} if the socket ended while this side slept.
     * @throws IOException if a byte came that is not {@link #WAKE}, or came with the turn not handed over.
     */
    static boolean await(final MemorySegment header, final int turn, final long ownAsleep, final int round,
        final long spinNanos, final ByteWait wait, final EagerSpin eager, final HandoffCounters counters) throws IOException
    {
        if (spinNanos > 0)
        {
            final long deadline = System.nanoTime() + spinNanos;
            final int eagerSpins = eager.spins();
            int spins = 0;
            boolean coreLost = false;
            while ((int)INT.getVolatile(header, TURN) != turn)
            {
                if (++spins % SPINS_PER_YIELD == 0)
                {
                    final long now = System.nanoTime();
                    if (now - deadline > 0)
                    {
                        counters.slept.increment();
                        return sleep(header, turn, ownAsleep, round, wait);
                    }
                    if (spins >= eagerSpins)
                    {
                        Thread.yield();
                        coreLost |= System.nanoTime() - now > CORE_LOST_NANOS;
                        continue;
                    }
                }
                Thread.onSpinWait();
            }
            counters.spun.increment();
            if (coreLost)
            {
                counters.yielded.increment();
                eager.cameAfterLosingCore();
            }
            else
            {
                eager.cameKeepingCore();
            }
            return true;
        }
        counters.slept.increment();
        return sleep(header, turn, ownAsleep, round, wait);
    }

    private static boolean sleep(final MemorySegment header, final int turn, final long ownAsleep, final int round,
        final ByteWait wait) throws IOException
    {
        INT.setVolatile(header, ownAsleep, round);
        if ((int)INT.getVolatile(header, TURN) == turn && INT.compareAndSet(header, ownAsleep, round, 0))
        {
            return true;
        }
        final int wake = wait.awaitByte();
        if (wake < 0)
        {
            return false;
        }
        if ((byte)wake != WAKE || (int)INT.getVolatile(header, TURN) != turn)
        {
            throw new IOException("a wake-up byte " + wake + " came with turn " + INT.getVolatile(header, TURN)
                + " where " + turn + " was awaited");
        }
        return true;
    }
}
