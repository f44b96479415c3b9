package org.tmem4j.ramster;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for Redis that makes deterministic what Lettuce does now and then when Redis refuses its handshake
 * ({@code HELLO 3 AUTH user password}): report the connection as closed instead of Redis's answer. It closes every
 * connection on its {@code HELLO}, unanswered, and answers every other command, {@code AUTH} with the reply it was
 * given and the rest with {@code +OK}.
 */
final class HelloClosingServer implements AutoCloseable
{
    private final ServerSocket server;
    private final String authReply;

    /**
     * Listens on a free loopback port.
     *
     * @param authReply the reply to {@code AUTH} in RESP without its line end, e.g. {@code +OK} or
     *                  {@code -WRONGPASS ...}.
     * @throws IOException if no port could be bound.
     */
    HelloClosingServer(final String authReply) throws IOException
    {
        this.authReply = authReply;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("hello-closing-server").start(this::accept);
    }

    /**
     * {@return {@code 127.0.0.1:PORT}, for a standalone or a Cluster URI}
     */
    String address()
    {
        return "127.0.0.1:" + server.getLocalPort();
    }

    @Override
    public void close() throws IOException
    {
        server.close();
    }

    private void accept()
    {
        while (!server.isClosed())
        {
            final Socket socket;
            try
            {
                socket = server.accept();
            }
            catch (final IOException ex)
            {
                // closed: no more connections
                return;
            }
            Thread.ofVirtual().start(() -> serve(socket));
        }
    }

    private void serve(final Socket socket)
    {
        try (socket)
        {
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            final OutputStream out = socket.getOutputStream();
            for (List<String> command = read(in); command != null && !"HELLO".equalsIgnoreCase(command.getFirst());
                command = read(in))
            {
                final String reply = "AUTH".equalsIgnoreCase(command.getFirst()) ? authReply : "+OK";
                out.write((reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        }
        catch (final IOException ex)
        {
            // the client went away first: nothing left to serve
        }
    }

    /**
     * @return the command's arguments, or {@code null} at the end of the stream.
     */
    private static List<String> read(final InputStream in) throws IOException
    {
        final String header = line(in);
        if (header == null)
        {
            return null;
        }
        if (!header.startsWith("*"))
        {
            throw new IOException("not a RESP command: " + header);
        }
        final int count = Integer.parseInt(header.substring(1));
        final List<String> args = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final String length = line(in);
            if (length == null || !length.startsWith("$"))
            {
                throw new IOException("not a RESP bulk string: " + length);
            }
            final byte[] arg = in.readNBytes(Integer.parseInt(length.substring(1)) + 2);
            args.add(new String(arg, 0, Math.max(0, arg.length - 2), StandardCharsets.ISO_8859_1));
        }
        return args;
    }

    /**
     * @return the next line without its CRLF, or {@code null} at the end of the stream.
     */
    private static String line(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read())
        {
            if (b == '\n')
            {
                final byte[] bytes = line.toByteArray();
                return new String(bytes, 0, Math.max(0, bytes.length - 1), StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return null;
    }
}
