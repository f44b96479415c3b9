package org.tmem4j.frontend.cleancache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A file read through a small page cache of its own, with cleancache behind it: what the kernel's page cache and
 * {@code readpage} did with cleancache, ready for an application.
 * <pre>
 *   read(pos) --> own cache (LRU, cachePages pages, off-heap) --hit--> copy out
 *                     | miss
 *                     v
 *                 cleancache.getPage(key, index) --hit--> into own cache
 *                     | miss
 *                     v
 *                 FileChannel read --> into own cache
 *
 *   own cache evicts a page (all pages are clean) --> cleancache.putPage(key, index)
 *   write / truncate --> own cache and cleancache drop the pages they touch, then the file changes
 * </pre>
 * The file key comes from the file's identity ({@link FileKey#of}), so another path to the same unchanged file
 * finds the pages this one left in cleancache; closing puts every cached page into cleancache. Pages past the end
 * of the file read as zeros inside the cache and never reach the caller. Changes made to the file other than
 * through this object while it is open are not seen by its caches.
 * <p>
 * Thread-safe: one lock per file.
 */
public final class PagedFile implements AutoCloseable
{
    /**
     * What the file's reads were served from, in pages.
     *
     * @param cacheHits      from its own cache.
     * @param cleancacheHits from cleancache.
     * @param diskReads      from the file.
     */
    public record Stats(long cacheHits, long cleancacheHits, long diskReads)
    {
        /**
         * {@return the share of page reads that did not touch the disk, 0 to 1}
         */
        public double hitRate()
        {
            final long total = cacheHits + cleancacheHits + diskReads;
            return total == 0 ? 0 : (double)(cacheHits + cleancacheHits) / total;
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final CleancacheFs fs;
    private final FileKey key;
    private final int pageSize;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment frames;
    private final ArrayDeque<Integer> freeFrames = new ArrayDeque<>();
    private final LinkedHashMap<Long, Integer> cached = new LinkedHashMap<>(16, 0.75f, true);
    private long size;
    private long cacheHits;
    private long cleancacheHits;
    private long diskReads;
    private boolean closed;

    private PagedFile(final Path path, final FileChannel channel, final CleancacheFs fs, final int cachePages)
        throws IOException
    {
        this.path = path;
        this.channel = channel;
        this.fs = fs;
        this.key = FileKey.of(path);
        this.pageSize = fs.pageSize();
        this.size = channel.size();
        this.frames = arena.allocate((long)cachePages * pageSize, 4096);
        for (int i = 0; i < cachePages; i++)
        {
            freeFrames.add(i);
        }
    }

    /**
     * Opens a file for reading, or for reading and writing.
     *
     * @param file       the file; it must exist.
     * @param fs         the cleancache filesystem its pages go to.
     * @param cachePages how many pages its own cache holds, {@code >= 1}.
     * @param writable   whether {@link #write} and {@link #truncate} are allowed.
     * @return the open file.
     * @throws UncheckedIOException if it cannot be opened.
     */
    public static PagedFile open(final Path file, final CleancacheFs fs, final int cachePages, final boolean writable)
    {
        if (file == null || fs == null)
        {
            throw new IllegalArgumentException("file and cleancache fs are required, got " + file + ", " + fs);
        }
        if (cachePages < 1)
        {
            throw new IllegalArgumentException("the page cache needs at least 1 page, got " + cachePages);
        }
        FileChannel channel = null;
        try
        {
            channel = writable
                ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ);
            return new PagedFile(file, channel, fs, cachePages);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel, ex);
            throw new UncheckedIOException("cannot open " + file, ex);
        }
    }

    /**
     * Reads bytes at a position, as {@link FileChannel#read(ByteBuffer, long)} would.
     *
     * @param position where to start, {@code >= 0}.
     * @param dst      receives up to {@code dst.byteSize()} bytes.
     * @return how many bytes were read, or {@code -1} if {@code position} is at or past the end of the file.
     */
    public synchronized int read(final long position, final MemorySegment dst)
    {
        requireOpen();
        if (position < 0)
        {
            throw new IllegalArgumentException("position " + position + " is negative");
        }
        if (position >= size)
        {
            return -1;
        }
        final long length = Math.min(dst.byteSize(), size - position);
        long done = 0;
        while (done < length)
        {
            final long at = position + done;
            final long index = at / pageSize;
            final int inPage = (int)(at % pageSize);
            final int n = (int)Math.min(pageSize - inPage, length - done);
            MemorySegment.copy(frames, (long)cachedFrame(index) * pageSize + inPage, dst, done, n);
            done += n;
        }
        return (int)done;
    }

    /**
     * Writes bytes at a position; the pages they touch are dropped from both caches first.
     *
     * @param position where to start, {@code >= 0}.
     * @param src      the bytes.
     */
    public synchronized void write(final long position, final MemorySegment src)
    {
        requireOpen();
        if (position < 0)
        {
            throw new IllegalArgumentException("position " + position + " is negative");
        }
        final long end = position + src.byteSize();
        for (long index = position / pageSize; index * pageSize < end; index++)
        {
            drop(index);
        }
        final ByteBuffer buffer = src.asByteBuffer();
        try
        {
            while (buffer.hasRemaining())
            {
                channel.write(buffer, position + buffer.position());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + path + " at " + position, ex);
        }
        size = Math.max(size, end);
    }

    /**
     * Cuts the file to a size; the pages past it (and the page it ends in) are dropped from both caches.
     *
     * @param newSize the new size, {@code >= 0}; a larger size than the file's changes nothing.
     */
    public synchronized void truncate(final long newSize)
    {
        requireOpen();
        if (newSize < 0)
        {
            throw new IllegalArgumentException("size " + newSize + " is negative");
        }
        if (newSize >= size)
        {
            return;
        }
        final long first = newSize / pageSize;
        final long last = (size - 1) / pageSize;
        if (last - first >= cached.size() + freeFrames.size())
        {
            // more pages than a page-by-page invalidation is worth: drop the whole file from cleancache
            for (final Iterator<Map.Entry<Long, Integer>> it = cached.entrySet().iterator(); it.hasNext(); )
            {
                final Map.Entry<Long, Integer> entry = it.next();
                if (entry.getKey() >= first)
                {
                    freeFrames.add(entry.getValue());
                    it.remove();
                }
            }
            fs.invalidateInode(key);
        }
        else
        {
            for (long index = first; index <= last; index++)
            {
                drop(index);
            }
        }
        try
        {
            channel.truncate(newSize);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot truncate " + path + " to " + newSize, ex);
        }
        size = newSize;
    }

    /**
     * {@return the file's size as this object knows it}
     */
    public synchronized long size()
    {
        return size;
    }

    /**
     * {@return the key its pages are filed under in cleancache}
     */
    public FileKey key()
    {
        return key;
    }

    /**
     * {@return what its reads were served from}
     */
    public synchronized Stats stats()
    {
        return new Stats(cacheHits, cleancacheHits, diskReads);
    }

    /**
     * Puts every cached page into cleancache and closes the file. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (!fs.isInvalidated())
            {
                for (final Map.Entry<Long, Integer> entry : cached.entrySet())
                {
                    fs.putPage(key, entry.getKey(), frameSegment(entry.getValue()));
                }
            }
            cached.clear();
        }
        finally
        {
            arena.close();
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot close " + path, ex);
            }
        }
    }

    @Override
    public String toString()
    {
        return "PagedFile{" + path + ", " + key + "}";
    }

    /**
     * @return the frame holding page {@code index}, filled from cleancache or the disk if it was not cached.
     */
    private int cachedFrame(final long index)
    {
        final Integer held = cached.get(index);
        if (held != null)
        {
            cacheHits++;
            return held;
        }
        final int frame = freeFrame();
        final MemorySegment page = frameSegment(frame);
        if (fs.getPage(key, index, page))
        {
            cleancacheHits++;
        }
        else
        {
            readFromDisk(index, page);
            diskReads++;
        }
        cached.put(index, frame);
        return frame;
    }

    private int freeFrame()
    {
        final Integer free = freeFrames.poll();
        if (free != null)
        {
            return free;
        }
        final Iterator<Map.Entry<Long, Integer>> eldest = cached.entrySet().iterator();
        final Map.Entry<Long, Integer> victim = eldest.next();
        eldest.remove();
        fs.putPage(key, victim.getKey(), frameSegment(victim.getValue()));
        return victim.getValue();
    }

    private void readFromDisk(final long index, final MemorySegment page)
    {
        final ByteBuffer buffer = page.asByteBuffer();
        final long base = index * pageSize;
        try
        {
            while (buffer.hasRemaining())
            {
                if (channel.read(buffer, base + buffer.position()) < 0)
                {
                    break;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + path + " at " + base, ex);
        }
        page.asSlice(buffer.position()).fill((byte)0);
    }

    private void drop(final long index)
    {
        final Integer frame = cached.remove(index);
        if (frame != null)
        {
            freeFrames.add(frame);
        }
        fs.invalidatePage(key, index);
    }

    private MemorySegment frameSegment(final int frame)
    {
        return frames.asSlice((long)frame * pageSize, pageSize);
    }

    private void requireOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private static void closeQuietly(final FileChannel channel, final IOException cause)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                cause.addSuppressed(ex);
            }
        }
    }
}
