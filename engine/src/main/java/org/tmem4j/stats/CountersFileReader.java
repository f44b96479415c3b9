package org.tmem4j.stats;

import static org.tmem4j.stats.CountersFile.CAPACITY_OFFSET;
import static org.tmem4j.stats.CountersFile.COUNT_OFFSET;
import static org.tmem4j.stats.CountersFile.DROPPED_OFFSET;
import static org.tmem4j.stats.CountersFile.EPOCH_OFFSET;
import static org.tmem4j.stats.CountersFile.HEADER_LENGTH;
import static org.tmem4j.stats.CountersFile.HEARTBEAT_OFFSET;
import static org.tmem4j.stats.CountersFile.INTERVAL_OFFSET;
import static org.tmem4j.stats.CountersFile.DESCRIPTION_LENGTH_OFFSET;
import static org.tmem4j.stats.CountersFile.KIND_COUNTER;
import static org.tmem4j.stats.CountersFile.KIND_GAUGE;
import static org.tmem4j.stats.CountersFile.KIND_OFFSET;
import static org.tmem4j.stats.CountersFile.LABEL_LENGTH_OFFSET;
import static org.tmem4j.stats.CountersFile.LABEL_SEPARATOR;
import static org.tmem4j.stats.CountersFile.MAGIC;
import static org.tmem4j.stats.CountersFile.MAGIC_OFFSET;
import static org.tmem4j.stats.CountersFile.MAX_DESCRIPTION_LENGTH;
import static org.tmem4j.stats.CountersFile.MAX_LABEL_LENGTH;
import static org.tmem4j.stats.CountersFile.MAX_UNIT_LENGTH;
import static org.tmem4j.stats.CountersFile.METADATA_OFFSET;
import static org.tmem4j.stats.CountersFile.METADATA_RECORD_LENGTH;
import static org.tmem4j.stats.CountersFile.PID_OFFSET;
import static org.tmem4j.stats.CountersFile.START_TIME_OFFSET;
import static org.tmem4j.stats.CountersFile.STATE_CLOSED;
import static org.tmem4j.stats.CountersFile.STATE_OFFSET;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a {@link CountersFile} that a running engine, usually in another process, writes: maps it read-only and
 * takes consistent snapshots of its counters without ever blocking the writer.
 * <p>
 * A snapshot follows the file's sequence lock: it reads the layout epoch, the labels and descriptions (decoded only
 * when the layout changed since the last snapshot) and the values, then the epoch again, and retries while the writer is rewriting
 * the layout. Values are read with acquire loads and are never torn.
 * <p>
 * Not thread-safe (it caches the last layout's labels); use one reader per thread.
 */
public final class CountersFileReader implements AutoCloseable
{
    /** How long {@link #snapshot()} retries while the layout is being rewritten before it gives up. */
    public static final long LAYOUT_RETRY_NANOS = 1_000_000_000L;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final Path path;
    private final FileChannel channel;
    private final Arena arena;
    private final MemorySegment segment;
    private final int capacity;
    private final long valuesOffset;
    private long labelsEpoch = -1;
    private CounterValue[] labels = new CounterValue[0];

    private CountersFileReader(final Path path, final FileChannel channel, final Arena arena,
        final MemorySegment segment, final int capacity)
    {
        this.path = path;
        this.channel = channel;
        this.arena = arena;
        this.segment = segment;
        this.capacity = capacity;
        this.valuesOffset = CountersFile.valuesOffset(capacity);
    }

    /**
     * Maps a counters file.
     *
     * @param path the file.
     * @return a reader of it.
     * @throws NoSuchFileException   if there is no such file.
     * @throws CountersFileException if the file is not a complete counters file of this version.
     * @throws IOException           if it cannot be read.
     */
    public static CountersFileReader open(final Path path) throws IOException
    {
        if (Files.isDirectory(path))
        {
            throw new CountersFileException(path + " is a directory, not a tmem4j counters file");
        }
        // kept open while mapped: reading a mapping past the end of a file truncated under it faults the JVM, so
        // every snapshot first checks the file's size through it
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try
        {
            final long size = channel.size();
            if (size < HEADER_LENGTH)
            {
                throw new CountersFileException(path + " is not a tmem4j counters file: " + size
                    + " bytes, shorter than the " + HEADER_LENGTH + "-byte header");
            }
            final Arena arena = Arena.ofShared();
            try
            {
                final MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                final long magic = (long)LONG.getAcquire(segment, (long)MAGIC_OFFSET);
                if (magic == 0)
                {
                    throw new CountersFileException(path + " is not ready: its writer is still creating it");
                }
                if (magic != MAGIC)
                {
                    throw new CountersFileException(path + " is not a tmem4j counters file (magic 0x"
                        + Long.toHexString(magic) + ", expected 0x" + Long.toHexString(MAGIC) + ")");
                }
                final int version = segment.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
                if (version != VERSION)
                {
                    throw new CountersFileException(path + " has counters file version " + version
                        + "; this reader reads version " + VERSION + " (use the tmem4j that runs the engine)");
                }
                final int capacity = segment.get(ValueLayout.JAVA_INT, CAPACITY_OFFSET);
                if (capacity < 0 || CountersFile.fileLength(capacity) > size)
                {
                    throw new CountersFileException(path + " is truncated: capacity " + capacity + " needs "
                        + CountersFile.fileLength(capacity) + " bytes, the file has " + size);
                }
                return new CountersFileReader(path, channel, arena, segment, capacity);
            }
            catch (final IOException | RuntimeException ex)
            {
                arena.close();
                throw ex;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * {@return the file}
     */
    public Path path()
    {
        return path;
    }

    /**
     * {@return the writer's process id}
     */
    public long pid()
    {
        return segment.get(ValueLayout.JAVA_LONG, PID_OFFSET);
    }

    /**
     * {@return when the writer's process started}
     */
    public Instant startTime()
    {
        return Instant.ofEpochMilli(segment.get(ValueLayout.JAVA_LONG, START_TIME_OFFSET));
    }

    /**
     * {@return the writer's publish interval in millis}
     */
    public int publishIntervalMs()
    {
        return segment.get(ValueLayout.JAVA_INT, INTERVAL_OFFSET);
    }

    /**
     * {@return max counters the file holds}
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * {@return epoch millis of the writer's last publish}
     */
    public long heartbeatMs()
    {
        return (long)LONG.getAcquire(segment, (long)HEARTBEAT_OFFSET);
    }

    /**
     * {@return whether the writer has closed the file}
     */
    public boolean isClosed()
    {
        return (int)INT.getAcquire(segment, (long)STATE_OFFSET) == STATE_CLOSED;
    }

    /**
     * {@return how old a heartbeat may be before the file counts as stale by default: 20 publish intervals, at least
     * 2 seconds (a loaded machine or a long GC pause delays a publish, and must not read as a dead engine)}
     */
    public long defaultStaleAfterMs()
    {
        return Math.max(2_000L, 20L * publishIntervalMs());
    }

    /**
     * Judges whether the writer still publishes.
     *
     * @param nowMs        the current epoch millis.
     * @param staleAfterMs the oldest heartbeat age that still counts as live.
     * @return why the file is stale, or empty if it is live.
     */
    public Optional<String> staleReason(final long nowMs, final long staleAfterMs)
    {
        if (isClosed())
        {
            return Optional.of("the engine (pid " + pid() + ") closed its counters");
        }
        final long pid = pid();
        final Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive())
        {
            return Optional.of("the engine's process " + pid + " is gone");
        }
        final long startMs = segment.get(ValueLayout.JAVA_LONG, START_TIME_OFFSET);
        final Optional<Instant> processStart = process.get().info().startInstant();
        // a process started after the writer's did is another one that reuses the id
        if (processStart.isPresent() && processStart.get().toEpochMilli() > startMs + 1_000L)
        {
            return Optional.of("the engine's process " + pid + " is gone (the id now belongs to another process)");
        }
        final long age = nowMs - heartbeatMs();
        if (age > staleAfterMs)
        {
            return Optional.of("the engine (pid " + pid + ") last published " + age + " ms ago (stale after "
                + staleAfterMs + " ms)");
        }
        return Optional.empty();
    }

    /**
     * Reads every counter: labels and values of one layout.
     *
     * @return the counters.
     * @throws CountersFileException if the file was truncated under the reader, or the layout stays mid-rewrite
     *                               for {@link #LAYOUT_RETRY_NANOS} (a writer that died while rewriting it) or is
     *                               malformed.
     */
    public CountersSnapshot snapshot() throws CountersFileException
    {
        checkIntact();
        final long deadline = System.nanoTime() + LAYOUT_RETRY_NANOS;
        String problem = "it was rewritten without end";
        do
        {
            final long epoch = (long)LONG.getAcquire(segment, (long)EPOCH_OFFSET);
            if ((epoch & 1) == 0)
            {
                final int count = segment.get(ValueLayout.JAVA_INT, COUNT_OFFSET);
                final int dropped = segment.get(ValueLayout.JAVA_INT, DROPPED_OFFSET);
                final long heartbeat = heartbeatMs();
                if (count < 0 || count > capacity)
                {
                    problem = "its count " + count + " is outside 0.." + capacity;
                }
                else if (epoch != labelsEpoch && !readLabels(count))
                {
                    problem = "a label is malformed";
                }
                else
                {
                    final long[] values = new long[count];
                    long offset = valuesOffset;
                    for (int i = 0; i < count; i++)
                    {
                        values[i] = (long)LONG.getAcquire(segment, offset);
                        offset += VALUE_RECORD_LENGTH;
                    }
                    // every read above happens before the epoch is read again
                    VarHandle.acquireFence();
                    if ((long)LONG.getAcquire(segment, (long)EPOCH_OFFSET) == epoch)
                    {
                        labelsEpoch = epoch;
                        return snapshot(epoch, heartbeat, dropped, values);
                    }
                }
                labelsEpoch = -1;
            }
            Thread.onSpinWait();
        }
        while (System.nanoTime() - deadline < 0);
        throw new CountersFileException("cannot read a consistent layout from " + path + ": " + problem);
    }

    private CountersSnapshot snapshot(final long epoch, final long heartbeat, final int dropped, final long[] values)
    {
        final List<CounterValue> counters = new ArrayList<>(values.length);
        for (int i = 0; i < values.length; i++)
        {
            final CounterValue label = labels[i];
            counters.add(new CounterValue(label.kind(), label.name(), label.description(), values[i]));
        }
        return new CountersSnapshot(epoch, heartbeat, dropped, counters);
    }

    /**
     * Decodes the metadata records into {@link #labels} (values 0).
     *
     * @return false if a record is malformed, as it may be when read while the writer rewrites it.
     */
    private boolean readLabels(final int count)
    {
        final CounterValue[] read = new CounterValue[count];
        for (int i = 0; i < count; i++)
        {
            final long record = METADATA_OFFSET + (long)i * METADATA_RECORD_LENGTH;
            final String label = ascii(record + LABEL_LENGTH_OFFSET, 5, MAX_LABEL_LENGTH);
            final String unit = ascii(record + UNIT_LENGTH_OFFSET, 1, MAX_UNIT_LENGTH);
            final String description = ascii(record + DESCRIPTION_LENGTH_OFFSET, 1, MAX_DESCRIPTION_LENGTH);
            final int kind = segment.get(ValueLayout.JAVA_INT, record + KIND_OFFSET);
            if (label == null || unit == null || description == null || (kind != KIND_COUNTER && kind != KIND_GAUGE))
            {
                return false;
            }
            final int first = label.indexOf(LABEL_SEPARATOR);
            final int second = label.indexOf(LABEL_SEPARATOR, first + 1);
            if (first <= 0 || second <= first + 1 || second == label.length() - 1
                || label.indexOf(LABEL_SEPARATOR, second + 1) >= 0)
            {
                return false;
            }
            try
            {
                read[i] = new CounterValue(label.substring(0, first), label.substring(first + 1, second),
                    new CounterDescription(label.substring(second + 1),
                        kind == KIND_COUNTER ? CounterKind.COUNTER : CounterKind.GAUGE, CounterUnit.ofSymbol(unit),
                        description), 0);
            }
            catch (final IllegalArgumentException malformed)
            {
                return false;
            }
        }
        labels = read;
        return true;
    }

    /** Reads a length-prefixed US-ASCII field, or null if its length is outside {@code min..max}. */
    private String ascii(final long offset, final int min, final int max)
    {
        final int length = segment.get(ValueLayout.JAVA_INT, offset);
        if (length < min || length > max)
        {
            return null;
        }
        final byte[] bytes = segment.asSlice(offset + Integer.BYTES, length).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /**
     * Checks that the file still holds everything mapped: call it before reading a file whose writer may cut it
     * ({@link #snapshot()} does), because reading a mapping past the end of its file faults the whole JVM.
     *
     * @throws CountersFileException if the file is shorter than the mapping, or its size cannot be read.
     */
    public void checkIntact() throws CountersFileException
    {
        final long size;
        try
        {
            size = channel.size();
        }
        catch (final IOException ex)
        {
            throw new CountersFileException("cannot read the size of " + path + ": " + ex.getMessage());
        }
        if (size < segment.byteSize())
        {
            throw new CountersFileException(path + " was truncated from " + segment.byteSize() + " to " + size
                + " bytes while being read");
        }
    }

    /**
     * Unmaps and closes the file.
     */
    @Override
    public void close()
    {
        arena.close();
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            // a read-only channel has nothing to flush: closing it cannot lose anything
        }
    }
}
