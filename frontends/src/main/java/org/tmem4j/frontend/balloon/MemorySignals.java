package org.tmem4j.frontend.balloon;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a {@link Selfballoon} reads memory pressure: Linux PSI ({@code /proc/pressure/memory}, or the cgroup's own
 * {@code memory.pressure} under cgroup v2), the cgroup's limit and usage (v2 {@code memory.max} /
 * {@code memory.current}; v1 {@code memory.limit_in_bytes} / {@code memory.usage_in_bytes}, the tightest limit of
 * the cgroup and its ancestors) and the JVM's heap after GC. A signal the machine lacks reads as none: no PSI is 0 %,
 * no cgroup limit is {@link MemoryReading#NO_LIMIT}.
 */
@FunctionalInterface
public interface MemorySignals
{
    /**
     * {@return the current reading}
     */
    MemoryReading read();

    /**
     * {@return the signals of this JVM: its cgroup (found through {@code /proc/self/cgroup} and
     * {@code /proc/self/mountinfo}), PSI and heap}
     */
    static MemorySignals ofThisJvm()
    {
        final Optional<Path> v2 = cgroupDirectory(true);
        final Optional<Path> v1 = cgroupDirectory(false);
        return () ->
        {
            double pressure = 0;
            long limit = MemoryReading.NO_LIMIT;
            long usage = 0;
            final Path psi = v2.map(dir -> dir.resolve("memory.pressure")).filter(Files::isReadable)
                .orElse(Path.of("/proc/pressure/memory"));
            pressure = readFirstLine(psi).map(MemorySignals::parsePressure).orElse(0.0);
            if (v2.isPresent() && Files.isReadable(v2.get().resolve("memory.max")))
            {
                for (Path dir = v2.get(); dir != null && Files.isReadable(dir.resolve("memory.max"));
                    dir = dir.getParent())
                {
                    limit = Math.min(limit, readFirstLine(dir.resolve("memory.max")).map(MemorySignals::parseLimit)
                        .orElse(MemoryReading.NO_LIMIT));
                }
                usage = readFirstLine(v2.get().resolve("memory.current")).map(Long::parseLong).orElse(0L);
            }
            else if (v1.isPresent())
            {
                for (Path dir = v1.get(); dir != null && Files.isReadable(dir.resolve("memory.limit_in_bytes"));
                    dir = dir.getParent())
                {
                    limit = Math.min(limit, readFirstLine(dir.resolve("memory.limit_in_bytes"))
                        .map(MemorySignals::parseLimit).orElse(MemoryReading.NO_LIMIT));
                }
                usage = readFirstLine(v1.get().resolve("memory.usage_in_bytes")).map(Long::parseLong).orElse(0L);
            }
            long heapAfterGc = 0;
            for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
            {
                final MemoryUsage after = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
                if (after != null)
                {
                    heapAfterGc += after.getUsed();
                }
            }
            return new MemoryReading(pressure, limit, limit == MemoryReading.NO_LIMIT ? 0 : usage, heapAfterGc,
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax());
        };
    }

    /**
     * {@return its {@code avg10}}
     *
     * @param line a PSI line, {@code some avg10=1.23 avg60=... total=...}.
     */
    static double parsePressure(final String line)
    {
        for (final String field : line.split(" "))
        {
            if (field.startsWith("avg10="))
            {
                return Double.parseDouble(field.substring("avg10=".length()));
            }
        }
        throw new IllegalArgumentException("no avg10 in PSI line '" + line + "'");
    }

    /**
     * {@return the limit, or {@link MemoryReading#NO_LIMIT}}
     *
     * @param value a cgroup limit file's content: bytes, or {@code max} (v2); v1's "no limit" is a number near
     * 2^63.
     */
    static long parseLimit(final String value)
    {
        if ("max".equals(value))
        {
            return MemoryReading.NO_LIMIT;
        }
        final long bytes = Long.parseLong(value);
        // cgroup v1 writes "unlimited" as the largest page-aligned long
        return bytes >= Long.MAX_VALUE - (1 << 20) ? MemoryReading.NO_LIMIT : bytes;
    }

    /**
     * @param unified whether the cgroup v2 (unified) directory is wanted, else the v1 memory controller's.
     * @return this JVM's cgroup directory in that hierarchy, if it is mounted.
     */
    private static Optional<Path> cgroupDirectory(final boolean unified)
    {
        try
        {
            String cgroup = null;
            for (final String line : Files.readAllLines(Path.of("/proc/self/cgroup")))
            {
                final String[] parts = line.split(":", 3);
                if (parts.length == 3 && (unified ? parts[0].equals("0") && parts[1].isEmpty()
                    : List.of(parts[1].split(",")).contains("memory")))
                {
                    cgroup = parts[2];
                }
            }
            if (cgroup == null)
            {
                return Optional.empty();
            }
            for (final String line : Files.readAllLines(Path.of("/proc/self/mountinfo")))
            {
                // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
                final String[] halves = line.split(" - ", 2);
                final String[] fields = halves[0].split(" ");
                final String[] tail = halves.length == 2 ? halves[1].split(" ") : new String[0];
                if (tail.length < 3 || fields.length < 5)
                {
                    continue;
                }
                final boolean match = unified ? tail[0].equals("cgroup2")
                    : tail[0].equals("cgroup") && List.of(tail[2].split(",")).contains("memory");
                if (match && cgroup.startsWith(fields[3]))
                {
                    final String relative = cgroup.substring(fields[3].length()).replaceFirst("^/", "");
                    return Optional.of(Path.of(fields[4]).resolve(relative));
                }
            }
            return Optional.empty();
        }
        catch (final IOException | RuntimeException ex)
        {
            return Optional.empty();
        }
    }

    private static Optional<String> readFirstLine(final Path file)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? Optional.empty() : Optional.of(lines.getFirst().trim());
        }
        catch (final IOException | RuntimeException ex)
        {
            return Optional.empty();
        }
    }
}
