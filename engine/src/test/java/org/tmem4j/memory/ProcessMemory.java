package org.tmem4j.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the operating system says this process holds, for tests that check memory really was (or was not) taken.
 */
public final class ProcessMemory
{
    private ProcessMemory()
    {
    }

    /**
     * @return {@code VmRSS} of this process in bytes, or -1 where {@code /proc/self/status} cannot be read.
     */
    public static long residentBytes()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    final String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
        return -1;
    }
}
