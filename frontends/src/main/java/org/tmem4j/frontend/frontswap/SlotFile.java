package org.tmem4j.frontend.frontswap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The backing file of a swap area: fixed-size slots read and written at their offsets, from any number of threads.
 * <p>
 * A {@link FileChannel} closes itself when a thread blocked in it is interrupted, which would take the file away
 * from every other thread. An interrupted swap write must not lose a page, so a channel closed that way is
 * reopened and the operation retried; the thread's interrupt status is restored afterwards.
 */
final class SlotFile implements AutoCloseable
{
    private final Path path;
    private final int slotSize;
    private final Object reopenLock = new Object();
    private volatile FileChannel channel;
    private volatile boolean closed;

    SlotFile(final Path path, final int slotSize)
    {
        this.path = path;
        this.slotSize = slotSize;
        this.channel = open(path, true);
    }

    Path path()
    {
        return path;
    }

    void write(final int slot, final MemorySegment page)
    {
        final long base = (long)slot * slotSize;
        boolean interrupted = false;
        while (true)
        {
            final FileChannel ch = channel;
            final ByteBuffer buffer = page.asByteBuffer();
            try
            {
                while (buffer.hasRemaining())
                {
                    ch.write(buffer, base + buffer.position());
                }
                break;
            }
            catch (final AsynchronousCloseException ex)
            {
                interrupted |= Thread.interrupted();
                reopen(ch, ex);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write slot " + slot + " of swap file " + path, ex);
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    void read(final int slot, final MemorySegment dst)
    {
        final long base = (long)slot * slotSize;
        boolean interrupted = false;
        while (true)
        {
            final FileChannel ch = channel;
            final ByteBuffer buffer = dst.asByteBuffer();
            try
            {
                while (buffer.hasRemaining())
                {
                    if (ch.read(buffer, base + buffer.position()) < 0)
                    {
                        // past the end of a file cut short behind our back: the page was never there
                        throw new IllegalStateException("swap file " + path + " ends at " + ch.size()
                            + " bytes, before slot " + slot + " (" + base + ".." + (base + slotSize) + ")");
                    }
                }
                break;
            }
            catch (final AsynchronousCloseException ex)
            {
                interrupted |= Thread.interrupted();
                reopen(ch, ex);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read slot " + slot + " of swap file " + path, ex);
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close()
    {
        synchronized (reopenLock)
        {
            closed = true;
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot close swap file " + path, ex);
            }
        }
    }

    private void reopen(final FileChannel failed, final AsynchronousCloseException cause)
    {
        synchronized (reopenLock)
        {
            if (closed)
            {
                throw new IllegalStateException("swap file " + path + " is closed", cause);
            }
            if (channel == failed)
            {
                channel = open(path, false);
            }
        }
    }

    private static FileChannel open(final Path path, final boolean create)
    {
        try
        {
            return create
                ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open swap file " + path, ex);
        }
    }
}
