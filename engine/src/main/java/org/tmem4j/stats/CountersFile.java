package org.tmem4j.stats;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary layout of a counters file: the counters of one running engine, memory-mapped so that another process
 * ({@code ./tmem4j stat}) can read them while the engine runs, as Aeron's {@code cnc.dat} is read by
 * {@code AeronStat}.
 * <p>
 * One process writes the file ({@link CountersFilePublisher}); any number of processes map it read-only
 * ({@link CountersFileReader}). All fields are in the writer's native byte order, all long fields 8-byte aligned
 * so that they are written and read atomically.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   header, cache line 0: fixed at creation
 *  |                     Magic "TMEM4JCT" (64)                     |   0  written last, with release semantics
 *  +---------------------------------------------------------------+
 *  |                          Version (32)                         |   8
 *  +---------------------------------------------------------------+
 *  |              Capacity: max counters in the file (32)          |  12
 *  +---------------------------------------------------------------+
 *  |                   Process id of the writer (64)               |  16
 *  +---------------------------------------------------------------+
 *  |            Writer JVM start time, epoch millis (64)           |  24
 *  +---------------------------------------------------------------+
 *  |                  Publish interval, millis (32)                |  32
 *  +---------------------------------------------------------------+
 *  |                       Reserved (224)                         ...  36
 *  +---------------------------------------------------------------+   header, cache line 1: changes at run time
 *  |          Heartbeat: epoch millis of the last publish (64)     |  64  release store each publish
 *  +---------------------------------------------------------------+
 *  |                        Layout epoch (64)                      |  72  odd while the layout is rewritten
 *  +---------------------------------------------------------------+
 *  |                    Counter count (32)                         |  80
 *  +---------------------------------------------------------------+
 *  |         Dropped counters: registered but over capacity (32)   |  84
 *  +---------------------------------------------------------------+
 *  |                 State: 1 open, 2 closed (32)                  |  88
 *  +---------------------------------------------------------------+
 *  |                       Reserved (288)                         ...  92
 *  +---------------------------------------------------------------+  128
 *  |           Metadata records: capacity x 512 bytes             ...
 *  +---------------------------------------------------------------+  128 + capacity * 512
 *  |           Value records: capacity x 64 bytes                 ...
 *  +---------------------------------------------------------------+
 *
 *  Metadata record (512 bytes), counter i at 128 + i * 512: what the counter is, so that a reader in another
 *  process can show rates for counters and values for gauges, with units and meanings
 *  +---------------------------------------------------------------+
 *  |                     Label length (32)                         |  0
 *  +---------------------------------------------------------------+
 *  |         Label, US-ASCII "kind/name/counter" (up to 124 bytes)...  4
 *  +---------------------------------------------------------------+
 *  |               Kind: 1 counter, 2 gauge (32)                   | 128
 *  +---------------------------------------------------------------+
 *  |                      Unit length (32)                         | 132
 *  +---------------------------------------------------------------+
 *  |             Unit, US-ASCII, e.g. "pages" (up to 28 bytes)    ... 136
 *  +---------------------------------------------------------------+
 *  |                   Description length (32)                     | 164
 *  +---------------------------------------------------------------+
 *  |           Description, US-ASCII (up to 344 bytes)            ... 168
 *  +---------------------------------------------------------------+
 *
 *  Value record (64 bytes, one cache line), counter i at valuesOffset + i * 64:
 *  +---------------------------------------------------------------+
 *  |                         Value (64)                            |  0  release store, acquire load
 *  +---------------------------------------------------------------+
 *  |                       Padding (448)                          ...  8
 *  +---------------------------------------------------------------+
 * </pre>
 * <b>Consistency.</b> Each value is one aligned 8-byte word written with a release store, so a reader never sees a
 * torn value. Values of different counters are sampled in one pass but are not a single atomic snapshot. The
 * <i>layout</i> (which counter sits at which index) changes only when sources are registered or unregistered; the
 * writer then runs a sequence lock: it makes the layout epoch odd, rewrites count, metadata and values, and makes
 * it even again. A reader reads the epoch, the layout and the values, and retries if the epoch was odd or has
 * changed: labels and values it returns always belong together.
 * <p>
 * <b>Liveness.</b> The writer stores the magic last, so a half-made file is never taken for a valid one. The
 * heartbeat advances every publish interval; a reader judges the file stale when the heartbeat is too old, the state
 * is closed (the writer also deletes the file on close), or the writer's process is gone.
 * <p>
 * <b>Capacity.</b> The file is sized once, for {@code capacity} counters; counters registered beyond it are left out
 * of the file (still visible over JMX) and counted in the dropped-counters field.
 */
public final class CountersFile
{
    /** "TMEM4JCT" as a big-endian long. */
    public static final long MAGIC = 0x544D_454D_344A_4354L;
    /** Layout version; a reader refuses any other. */
    public static final int VERSION = 2;

    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version. */
    public static final int VERSION_OFFSET = 8;
    /** Offset of the capacity. */
    public static final int CAPACITY_OFFSET = 12;
    /** Offset of the writer's process id. */
    public static final int PID_OFFSET = 16;
    /** Offset of the writer JVM's start time. */
    public static final int START_TIME_OFFSET = 24;
    /** Offset of the publish interval. */
    public static final int INTERVAL_OFFSET = 32;
    /** Offset of the heartbeat. */
    public static final int HEARTBEAT_OFFSET = 64;
    /** Offset of the layout epoch. */
    public static final int EPOCH_OFFSET = 72;
    /** Offset of the counter count. */
    public static final int COUNT_OFFSET = 80;
    /** Offset of the dropped-counters count. */
    public static final int DROPPED_OFFSET = 84;
    /** Offset of the state. */
    public static final int STATE_OFFSET = 88;
    /** Length of the header. */
    public static final int HEADER_LENGTH = 128;

    /** State while the writer publishes. */
    public static final int STATE_OPEN = 1;
    /** State after the writer closed. */
    public static final int STATE_CLOSED = 2;

    /** Offset of the first metadata record. */
    public static final int METADATA_OFFSET = HEADER_LENGTH;
    /** Length of one metadata record. */
    public static final int METADATA_RECORD_LENGTH = 512;
    /** Offset of the label length within a metadata record. */
    public static final int LABEL_LENGTH_OFFSET = 0;
    /** Offset of the label within a metadata record. */
    public static final int LABEL_OFFSET = 4;
    /** Offset of the counter kind within a metadata record. */
    public static final int KIND_OFFSET = 128;
    /** Longest label in bytes. */
    public static final int MAX_LABEL_LENGTH = KIND_OFFSET - LABEL_OFFSET;
    /** Offset of the unit length within a metadata record. */
    public static final int UNIT_LENGTH_OFFSET = 132;
    /** Offset of the unit within a metadata record. */
    public static final int UNIT_OFFSET = 136;
    /** Offset of the description length within a metadata record. */
    public static final int DESCRIPTION_LENGTH_OFFSET = 164;
    /** Longest unit in bytes. */
    public static final int MAX_UNIT_LENGTH = DESCRIPTION_LENGTH_OFFSET - UNIT_OFFSET;
    /** Offset of the description within a metadata record. */
    public static final int DESCRIPTION_OFFSET = 168;
    /** Longest description in bytes. */
    public static final int MAX_DESCRIPTION_LENGTH = METADATA_RECORD_LENGTH - DESCRIPTION_OFFSET;

    /** Kind field of a monotonic counter. */
    public static final int KIND_COUNTER = 1;
    /** Kind field of a gauge. */
    public static final int KIND_GAUGE = 2;

    /** Length of one value record: a cache line, so that no two values share one. */
    public static final int VALUE_RECORD_LENGTH = 64;

    /** Separator of kind, name and counter in a label. */
    public static final char LABEL_SEPARATOR = '/';

    /** System property naming the counters file of this process, overriding {@link #defaultPath(long)}. */
    public static final String FILE_PROPERTY = "tmem4j.counters.file";

    private static final String FILE_PREFIX = "tmem4j-";
    private static final String FILE_SUFFIX = ".counters";

    private CountersFile()
    {
    }

    /**
     * {@return offset of the first value record}
     *
     * @param capacity max counters.
     */
    public static long valuesOffset(final int capacity)
    {
        return HEADER_LENGTH + (long)capacity * METADATA_RECORD_LENGTH;
    }

    /**
     * {@return length of a file for {@code capacity} counters}
     *
     * @param capacity max counters.
     */
    public static long fileLength(final int capacity)
    {
        return valuesOffset(capacity) + (long)capacity * VALUE_RECORD_LENGTH;
    }

    /**
     * {@return the label stored in the metadata record}
     *
     * @param kind    the source's kind.
     * @param name    the source's name.
     * @param counter the counter's name.
     */
    public static String label(final String kind, final String name, final String counter)
    {
        return kind + LABEL_SEPARATOR + name + LABEL_SEPARATOR + counter;
    }

    /**
     * {@return {@code ${java.io.tmpdir}/tmem4j-<pid>.counters}: where the process with that id publishes its counters
     * unless told otherwise. The temporary directory is this process's, so both must agree on it}
     *
     * @param pid a process id.
     */
    public static Path defaultPath(final long pid)
    {
        return Path.of(System.getProperty("java.io.tmpdir"), fileName(pid));
    }

    /**
     * {@return {@code tmem4j-<pid>.counters}: the name of that process's counters file by default}
     *
     * @param pid a process id.
     */
    public static String fileName(final long pid)
    {
        return FILE_PREFIX + pid + FILE_SUFFIX;
    }

    /**
     * {@return the counters file of this process: the {@value #FILE_PROPERTY} system property if set, else
     * {@link #defaultPath(long)} of this process's id}
     */
    public static Path pathOfThisProcess()
    {
        final String configured = System.getProperty(FILE_PROPERTY);
        if (configured != null && !configured.isBlank())
        {
            return Path.of(configured);
        }
        return defaultPath(ProcessHandle.current().pid());
    }

    /**
     * {@return the files in it named like counters files ({@code tmem4j-*.counters}), sorted; none if the directory
     * does not exist}
     *
     * @param directory a directory.
     * @throws IOException if the directory cannot be listed.
     */
    public static List<Path> findAll(final Path directory) throws IOException
    {
        final List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(directory))
        {
            return found;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, FILE_PREFIX + "*" + FILE_SUFFIX))
        {
            for (final Path path : stream)
            {
                if (Files.isRegularFile(path))
                {
                    found.add(path);
                }
            }
        }
        found.sort(null);
        return found;
    }
}
