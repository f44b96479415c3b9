package org.tmem4j.stats;

import static org.tmem4j.stats.CountersFile.CAPACITY_OFFSET;
import static org.tmem4j.stats.CountersFile.COUNT_OFFSET;
import static org.tmem4j.stats.CountersFile.DROPPED_OFFSET;
import static org.tmem4j.stats.CountersFile.EPOCH_OFFSET;
import static org.tmem4j.stats.CountersFile.HEARTBEAT_OFFSET;
import static org.tmem4j.stats.CountersFile.INTERVAL_OFFSET;
import static org.tmem4j.stats.CountersFile.DESCRIPTION_LENGTH_OFFSET;
import static org.tmem4j.stats.CountersFile.KIND_COUNTER;
import static org.tmem4j.stats.CountersFile.KIND_GAUGE;
import static org.tmem4j.stats.CountersFile.KIND_OFFSET;
import static org.tmem4j.stats.CountersFile.LABEL_LENGTH_OFFSET;
import static org.tmem4j.stats.CountersFile.MAGIC;
import static org.tmem4j.stats.CountersFile.MAGIC_OFFSET;
import static org.tmem4j.stats.CountersFile.METADATA_OFFSET;
import static org.tmem4j.stats.CountersFile.METADATA_RECORD_LENGTH;
import static org.tmem4j.stats.CountersFile.PID_OFFSET;
import static org.tmem4j.stats.CountersFile.START_TIME_OFFSET;
import static org.tmem4j.stats.CountersFile.STATE_CLOSED;
import static org.tmem4j.stats.CountersFile.STATE_OFFSET;
import static org.tmem4j.stats.CountersFile.STATE_OPEN;
import static org.tmem4j.stats.CountersFile.UNIT_LENGTH_OFFSET;
import static org.tmem4j.stats.CountersFile.VALUE_RECORD_LENGTH;
import static org.tmem4j.stats.CountersFile.VERSION;
import static org.tmem4j.stats.CountersFile.VERSION_OFFSET;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a {@link CountersFile}: the single writer of one file, driven by one thread at a time (the
 * {@link CountersFilePublisher}).
 * <p>
 * The writer holds an exclusive lock on the file while it lives, so a second writer, in this process or another,
 * is refused instead of scribbling over the first. A file left behind by a writer that died holds no lock; it is
 * deleted and made afresh (never truncated in place: a reader that still maps it keeps a valid, stale mapping).
 */
final class CountersFileWriter implements AutoCloseable
{
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    /**
     * Files written by this JVM. Checked before the file lock because closing any channel on a locked file may drop
     * the JVM's lock on it (POSIX record locks belong to the process), so this JVM must not even open its own files
     * a second time.
     */
    private static final Set<Path> FILES_IN_USE = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final int capacity;
    private final FileChannel channel;
    private final Arena arena;
    private final MemorySegment segment;
    private final long valuesOffset;
    private long epoch;
    private boolean closed;

    private CountersFileWriter(final Path path, final int capacity, final FileChannel channel, final Arena arena,
        final MemorySegment segment)
    {
        this.path = path;
        this.capacity = capacity;
        this.channel = channel;
        this.arena = arena;
        this.segment = segment;
        this.valuesOffset = CountersFile.valuesOffset(capacity);
    }

    /**
     * Creates the file, locked, with an empty layout and the header complete.
     *
     * @param path        where.
     * @param capacity    max counters.
     * @param intervalMs  publish interval, for readers judging staleness.
     * @param pid         the writer's process id.
     * @param startTimeMs the writer JVM's start time.
     * @param nowMs       the first heartbeat.
     * @return the writer.
     * @throws IOException if the file cannot be made, or another live writer holds it.
     */
    static CountersFileWriter create(
        final Path path, final int capacity, final int intervalMs, final long pid, final long startTimeMs,
        final long nowMs) throws IOException
    {
        final Path key = path.toAbsolutePath().normalize();
        if (!FILES_IN_USE.add(key))
        {
            throw new IOException("counters file " + path + " is already written by this JVM; "
                + "give each publisher its own file");
        }
        FileChannel channel = null;
        Arena arena = null;
        try
        {
            final Path parent = key.getParent();
            if (parent != null)
            {
                Files.createDirectories(parent);
            }
            channel = createLocked(path);
            arena = Arena.ofShared();
            final MemorySegment segment = channel.map(
                FileChannel.MapMode.READ_WRITE, 0, CountersFile.fileLength(capacity), arena);
            segment.set(ValueLayout.JAVA_INT, VERSION_OFFSET, VERSION);
            segment.set(ValueLayout.JAVA_INT, CAPACITY_OFFSET, capacity);
            segment.set(ValueLayout.JAVA_LONG, PID_OFFSET, pid);
            segment.set(ValueLayout.JAVA_LONG, START_TIME_OFFSET, startTimeMs);
            segment.set(ValueLayout.JAVA_INT, INTERVAL_OFFSET, intervalMs);
            segment.set(ValueLayout.JAVA_LONG, HEARTBEAT_OFFSET, nowMs);
            segment.set(ValueLayout.JAVA_LONG, EPOCH_OFFSET, 0L);
            segment.set(ValueLayout.JAVA_INT, COUNT_OFFSET, 0);
            segment.set(ValueLayout.JAVA_INT, DROPPED_OFFSET, 0);
            segment.set(ValueLayout.JAVA_INT, STATE_OFFSET, STATE_OPEN);
            // last, so that a reader seeing the magic sees every field above
            LONG.setRelease(segment, (long)MAGIC_OFFSET, MAGIC);
            return new CountersFileWriter(path, capacity, channel, arena, segment);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (arena != null)
            {
                arena.close();
            }
            if (channel != null)
            {
                channel.close();
                Files.deleteIfExists(path);
            }
            FILES_IN_USE.remove(key);
            throw ex;
        }
    }

    private static FileChannel createLocked(final Path path) throws IOException
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                final FileChannel channel = FileChannel.open(
                    path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
                try
                {
                    if (lock(channel, path) == null)
                    {
                        throw new IOException("counters file " + path + " was just created by another process");
                    }
                }
                catch (final IOException ex)
                {
                    channel.close();
                    throw ex;
                }
                return channel;
            }
            catch (final FileAlreadyExistsException ex)
            {
                if (attempt > 0)
                {
                    throw new IOException("counters file " + path + " keeps reappearing; another writer races us", ex);
                }
                removeAbandoned(path);
            }
        }
    }

    private static void removeAbandoned(final Path path) throws IOException
    {
        try (FileChannel existing = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            if (lock(existing, path) == null)
            {
                throw new IOException("counters file " + path + " is in use by another process; "
                    + "give this engine another file (system property " + CountersFile.FILE_PROPERTY + ")");
            }
            // the writer that made it is gone (it would hold the lock): its file is ours to replace
            Files.delete(path);
        }
    }

    private static FileLock lock(final FileChannel channel, final Path path) throws IOException
    {
        try
        {
            return channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            throw new IOException("counters file " + path + " is locked by this JVM through another path", ex);
        }
    }

    /**
     * @return where the file is.
     */
    Path path()
    {
        return path;
    }

    /**
     * @return max counters.
     */
    int capacity()
    {
        return capacity;
    }

    /**
     * Replaces the layout: under the sequence lock, writes the labels and descriptions, their values and the count.
     *
     * @param labels       one per counter, at most {@link #capacity()}.
     * @param descriptions one per label: the counter's kind, unit and meaning.
     * @param values       one per label.
     * @param dropped      counters registered but left out for lack of capacity.
     */
    void layout(final List<String> labels, final List<CounterDescription> descriptions, final long[] values,
        final int dropped)
    {
        final int count = labels.size();
        if (count > capacity)
        {
            throw new IllegalArgumentException(count + " counters do not fit a file of capacity " + capacity);
        }
        LONG.setOpaque(segment, (long)EPOCH_OFFSET, ++epoch);
        // no write of the new layout may become visible before the odd epoch does
        VarHandle.storeStoreFence();
        for (int i = 0; i < count; i++)
        {
            final long record = METADATA_OFFSET + (long)i * METADATA_RECORD_LENGTH;
            final CounterDescription description = descriptions.get(i);
            ascii(record + LABEL_LENGTH_OFFSET, labels.get(i));
            segment.set(ValueLayout.JAVA_INT, record + KIND_OFFSET,
                description.kind() == CounterKind.COUNTER ? KIND_COUNTER : KIND_GAUGE);
            ascii(record + UNIT_LENGTH_OFFSET, description.unit().symbol());
            ascii(record + DESCRIPTION_LENGTH_OFFSET, description.description());
        }
        segment.set(ValueLayout.JAVA_INT, COUNT_OFFSET, count);
        segment.set(ValueLayout.JAVA_INT, DROPPED_OFFSET, dropped);
        values(values, count);
        LONG.setRelease(segment, (long)EPOCH_OFFSET, ++epoch);
    }

    /** Writes a length-prefixed US-ASCII field: its int length at {@code offset}, its bytes right after. */
    private void ascii(final long offset, final String text)
    {
        final int length = text.length();
        segment.set(ValueLayout.JAVA_INT, offset, length);
        for (int c = 0; c < length; c++)
        {
            segment.set(ValueLayout.JAVA_BYTE, offset + Integer.BYTES + c, (byte)text.charAt(c));
        }
    }

    /**
     * Writes values into the current layout, each with a release store.
     *
     * @param values values, index for index with the layout's labels.
     * @param count  how many to write.
     */
    void values(final long[] values, final int count)
    {
        long offset = valuesOffset;
        for (int i = 0; i < count; i++)
        {
            LONG.setRelease(segment, offset, values[i]);
            offset += VALUE_RECORD_LENGTH;
        }
    }

    /**
     * @param nowMs epoch millis of this publish.
     */
    void heartbeat(final long nowMs)
    {
        LONG.setRelease(segment, (long)HEARTBEAT_OFFSET, nowMs);
    }

    /**
     * Marks the file closed, deletes it and unmaps it.
     *
     * @throws IOException if the file cannot be deleted.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        INT.setRelease(segment, (long)STATE_OFFSET, STATE_CLOSED);
        try
        {
            Files.deleteIfExists(path);
        }
        finally
        {
            arena.close();
            channel.close();
            FILES_IN_USE.remove(path.toAbsolutePath().normalize());
        }
    }
}
