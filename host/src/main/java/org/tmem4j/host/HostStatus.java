package org.tmem4j.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Asks a running host daemon for its per-client table (what {@code ./tmem4j stat --host-socket PATH} prints).
 */
public final class HostStatus
{
    private HostStatus()
    {
    }

    /**
     * Asks the daemon at a socket for its per-client table.
     *
     * @param socket the daemon's socket.
     * @return the daemon's table: one row per client (pages, bytes, cap, puts, gets, hits) and a total line.
     * @throws UncheckedIOException if no daemon answers there.
     */
    public static String read(final Path socket)
    {
        if (socket == null)
        {
            throw new IllegalArgumentException("socket is null");
        }
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket)))
        {
            final ByteBuffer request = HostProtocol.buffer(HostProtocol.REQUEST_BYTES);
            final ByteBuffer response = HostProtocol.buffer(HostProtocol.RESPONSE_HEADER_BYTES);
            HostProtocol.putRequest(request, HostProtocol.STATUS, 0, 0, 0, 0, 0, 0);
            return HostProtocol.text(HostProtocol.exchange(channel, request, response));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("no tmem4j host daemon answers at " + socket, ex);
        }
    }
}
