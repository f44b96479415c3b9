package org.tmem4j.host;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.tmem4j.codec.CodecSpec;

/**
 * The payload of the daemon's answer to a {@link HostProtocol#HELLO}: what a client needs to join its slots and
 * use them.
 * <pre>
 *   token (TOKEN_BYTES) | int spin microseconds | short codec spec length | codec spec (ASCII) | region path (UTF-8)
 * </pre>
 * Numbers little-endian; the token's two longs as a {@link HostProtocol#JOIN} carries them are big-endian.
 *
 * @param token      the secret a slot's join proves the client by.
 * @param spinMicros how long a slot's side spins before it sleeps on the slot's socket.
 * @param codec      the store's codec without dictionary: what a get's compressed page is decompressed with.
 * @param region     the client's region file, to map before the daemon unlinks it.
 */
record Welcome(byte[] token, int spinMicros, CodecSpec codec, Path region)
{
    /**
     * @throws IllegalArgumentException if the token is not {@link HostProtocol#TOKEN_BYTES} long or the codec spec
     *                                  has a dictionary.
     */
    Welcome
    {
        if (token.length != HostProtocol.TOKEN_BYTES || codec.dictionary())
        {
            throw new IllegalArgumentException("a welcome has a " + HostProtocol.TOKEN_BYTES
                + "-byte token and a codec without dictionary, got " + token.length + " bytes and " + codec);
        }
    }

    /**
     * {@return the payload, ready to send}
     */
    ByteBuffer encode()
    {
        final byte[] codecText = codec.toString().getBytes(StandardCharsets.US_ASCII);
        final byte[] path = region.toString().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(token.length + Integer.BYTES + Short.BYTES + codecText.length + path.length)
            .order(ByteOrder.LITTLE_ENDIAN).put(token).putInt(spinMicros).putShort((short)codecText.length)
            .put(codecText).put(path).flip();
    }

    /**
     * Reads a payload.
     *
     * @throws IOException if it is truncated or names no codec or path.
     */
    static Welcome decode(final byte[] payload) throws IOException
    {
        try
        {
            final ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            final byte[] token = new byte[HostProtocol.TOKEN_BYTES];
            in.get(token);
            final int spinMicros = in.getInt();
            final byte[] codecText = new byte[in.getShort()];
            in.get(codecText);
            final byte[] path = new byte[in.remaining()];
            in.get(path);
            return new Welcome(token, spinMicros, CodecSpec.parse(new String(codecText, StandardCharsets.US_ASCII)),
                Path.of(new String(path, StandardCharsets.UTF_8)));
        }
        // an invalid path or codec spec is an IllegalArgumentException too
        catch (final BufferUnderflowException | NegativeArraySizeException | IllegalArgumentException ex)
        {
            throw new IOException("host daemon answered the hello with a malformed welcome of " + payload.length
                + " bytes: " + ex, ex);
        }
    }

    /**
     * {@return the token's first long, as a join carries it}
     */
    long tokenHi()
    {
        return ByteBuffer.wrap(token).getLong(0);
    }

    /**
     * {@return the token's second long, as a join carries it}
     */
    long tokenLo()
    {
        return ByteBuffer.wrap(token).getLong(Long.BYTES);
    }
}
