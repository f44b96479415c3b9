package org.tmem4j.host;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import org.tmem4j.tmem.PageSizes;

/**
 * The protocol between a JVM and the host daemon: fixed-size frames over Unix domain socket connections to set up,
 * then requests, answers and page bytes through a shared memory-mapped region.
 * <pre>
 *   frame    (40 bytes, little-endian)   int op | int pool | long a | long b | long c | int index | int arg
 *   answer   (12 bytes + payload)        int status | int value | int payloadLength | payload
 *   region   slots x {@link SlotHandoff#HEADER_BYTES} of slot headers (rounded up to 4 KiB), then
 *            slots x {@link #SLOT_BYTES} of page areas
 * </pre>
 * A JVM opens one <i>control</i> connection ({@link #HELLO}: the daemon creates the client's region file and
 * answers with the client id, a secret token, how long a slot spins before it sleeps, and the file's path) and
 * then one connection per request <i>slot</i> ({@link #JOIN} with the id, token and slot number). After the join
 * a slot's requests and answers cross in its header and its page area ({@link SlotHandoff}); its socket carries
 * only wake-up bytes, and its end is the client's or the daemon's end. A put's page is in the page area before the
 * request, a get's page there after the answer. A slot serves one request at a time, so a JVM with {@code n}
 * slots has {@code n} requests in service in parallel. Requests never carry offsets: a connection's slot is fixed
 * by its join, so a request cannot reach outside its client's region.
 * <p>
 * A {@link #STATUS_OK} answer's value is the operation's result (a pool id, a put's result, a get's length); a
 * negative status is an error whose message says what was wrong. {@link #STATUS_PROTOCOL} (an unknown op, a frame
 * out of order, a bad join) is followed by the daemon closing the connection, which ends the client.
 */
final class HostProtocol
{
    /** First word of a hello: "TMEM4JH3". */
    static final long MAGIC = 0x544d454d344a4833L;
    static final int REQUEST_BYTES = 40;
    static final int RESPONSE_HEADER_BYTES = 12;
    /** A slot holds the largest page a pool may have. */
    static final int SLOT_BYTES = PageSizes.MAX;
    static final int MAX_SLOTS = 64;
    static final int TOKEN_BYTES = 16;
    /** Largest payload either side accepts: a status table of many clients fits, a runaway length does not. */
    static final int MAX_PAYLOAD = 1 << 20;

    /** Longest client name ({@code tmem4j.frontends.host.client}). */
    static final int MAX_NAME_BYTES = 64;

    /**
     * Control: {@code a} = {@link #MAGIC}, {@code b} = the length of the client's name, which follows the frame
     * ({@code [A-Za-z0-9_.-]}, at most {@link #MAX_NAME_BYTES}, 0 for none), {@code index} = slots, {@code arg} =
     * the JVM's pid (for the table).
     * Answer: value = client id, payload = a {@link Welcome}.
     */
    static final int HELLO = 1;
    /** Slot: {@code a} = client id, {@code b}/{@code c} = token, {@code index} = slot. */
    static final int JOIN = 2;
    /** Control: the client has mapped its region; the daemon unlinks the file. */
    static final int MAPPED = 3;
    /** First frame of a connection that only wants the per-client table; the daemon answers and closes. */
    static final int STATUS = 4;
    /** Slot: {@code arg} = page size. */
    static final int CREATE_EPHEMERAL = 10;
    /** Slot: {@code a}/{@code b} = uuid, {@code arg} = page size. */
    static final int CREATE_SHARED = 11;
    /** Slot: {@code arg} = page size. */
    static final int CREATE_PERSISTENT = 12;
    /** Slot: {@code pool}. */
    static final int DESTROY = 13;
    /** Slot: page in the slot; value = the store's result ({@code 0} stored, negative refused). */
    static final int PUT = 20;
    /**
     * Slot: value 0 on a miss; on a hit the length of what is in the page area: the page itself when the length is
     * the pool's page size, else the page as the store's codec compressed it, which the client decompresses (the
     * compressed bytes cross, not the page, and the decompression is the client's CPU time, not the daemon's).
     */
    static final int GET = 21;
    /** Slot: value 1 if the page was there. */
    static final int FLUSH_PAGE = 22;
    /** Slot: value = pages dropped. */
    static final int FLUSH_OBJECT = 23;
    /** Slot: the store's {@link HostStoreFigures} in the slot; value = their length in bytes. */
    static final int STORE_FIGURES = 30;
    /**
     * Slot: {@code a} = the client's share at the host in bytes (its selfballoon's budget), at least a page, or
     * {@link Long#MAX_VALUE} for no share limit: a put of a client holding its share of pages is refused.
     */
    static final int SHARE = 31;

    static final int STATUS_OK = 0;
    /** The frame broke the protocol; the daemon closes the connection and ends the client. */
    static final int STATUS_PROTOCOL = -1;
    /** The pool id is not one of this client's pools. */
    static final int STATUS_NO_POOL = -2;
    /** The client may not do this (join another user's shared pool). */
    static final int STATUS_DENIED = -3;
    /** An argument was out of range (page size, object id, index); the connection stays open. */
    static final int STATUS_BAD_ARGUMENT = -4;
    /** The stored page was damaged; the daemon dropped it and counted it (the store's {@code corrupt_pages}). */
    static final int STATUS_CORRUPT = -5;

    private HostProtocol()
    {
    }

    /**
     * {@return the bytes of a region's slot headers: whole 4 KiB pages, so that the page areas are page-aligned}
     */
    static long headerBytes(final int slots)
    {
        return ((long)slots * SlotHandoff.HEADER_BYTES + 4095) & ~4095L;
    }

    /**
     * {@return the bytes of a client's region}
     */
    static long regionBytes(final int slots)
    {
        return headerBytes(slots) + (long)slots * SLOT_BYTES;
    }

    /**
     * {@return a slot's header in a region}
     */
    static MemorySegment slotHeader(final MemorySegment region, final int slot)
    {
        return region.asSlice((long)slot * SlotHandoff.HEADER_BYTES, SlotHandoff.HEADER_BYTES);
    }

    /**
     * {@return a slot's page area in a region of {@code slots} slots}
     */
    static MemorySegment slotPage(final MemorySegment region, final int slots,
        final int slot)
    {
        return region.asSlice(headerBytes(slots) + (long)slot * SLOT_BYTES, SLOT_BYTES);
    }

    /**
     * {@return a direct little-endian buffer of the given size}
     */
    static ByteBuffer buffer(final int bytes)
    {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Fills the buffer from the channel.
     *
     * @return {@code false} if the channel ended before the first byte; a channel ending later is an
     * {@link EOFException}.
     */
    static boolean readFully(final SocketChannel channel, final ByteBuffer buffer) throws IOException
    {
        buffer.clear();
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                if (buffer.position() == 0)
                {
                    return false;
                }
                throw new EOFException("connection ended inside a frame after " + buffer.position() + " of "
                    + buffer.limit() + " bytes");
            }
        }
        buffer.flip();
        return true;
    }

    static void writeFully(final SocketChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }

    /**
     * One request and its answer on a blocking connection (connecting, status).
     *
     * @return the answer's payload; the answer's header is left in {@code response}.
     * @throws IllegalStateException if the daemon answered with an error.
     */
    static byte[] exchange(final SocketChannel channel, final ByteBuffer request,
        final ByteBuffer response) throws IOException
    {
        HostProtocol.writeFully(channel, request);
        if (!HostProtocol.readFully(channel, response))
        {
            throw new EOFException("host daemon closed the connection");
        }
        final int length = response.getInt(8);
        if (length < 0 || length > HostProtocol.MAX_PAYLOAD)
        {
            throw new IOException("host daemon sent a payload of " + length + " bytes");
        }
        final byte[] payload = new byte[length];
        final ByteBuffer buffer = ByteBuffer.wrap(payload);
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new EOFException("host daemon closed the connection");
            }
        }
        if (response.getInt(0) != HostProtocol.STATUS_OK)
        {
            throw new IllegalStateException("host daemon refused: " + HostProtocol.text(payload));
        }
        return payload;
    }

    static void putRequest(final ByteBuffer request, final int op, final int pool, final long a, final long b,
        final long c, final int index, final int arg)
    {
        request.clear();
        request.putInt(op).putInt(pool).putLong(a).putLong(b).putLong(c).putInt(index).putInt(arg).flip();
    }

    static String text(final byte[] payload)
    {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
