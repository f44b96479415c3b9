package org.tmem4j.frontend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * A real tmpfs of a few pages mounted on a test's directory, so a swap file runs out of space the way it would on a
 * full disk. Needs root (the tests run as root here); elsewhere the test using it is skipped, never failed.
 * Always unmounted by {@link #close()}.
 */
public final class TinyTmpfs implements AutoCloseable
{
    private final Path mountPoint;

    private TinyTmpfs(final Path mountPoint)
    {
        this.mountPoint = mountPoint;
    }

    /**
     * Mounts a tmpfs, or skips the calling test if it cannot (not root, no mount command, mount refused).
     *
     * @param mountPoint an empty directory.
     * @param size       a size as {@code mount -o size=} reads it, e.g. {@code 1m}.
     * @return the mounted file system.
     */
    public static TinyTmpfs mount(final Path mountPoint, final String size)
    {
        Assumptions.assumeTrue(isRoot(), "mounting a tmpfs needs root");
        final String outcome = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString());
        Assumptions.assumeTrue(outcome == null, () -> "cannot mount a tmpfs: " + outcome);
        return new TinyTmpfs(mountPoint);
    }

    /**
     * @param size the new size, e.g. {@code 8m}.
     */
    public void resize(final String size)
    {
        final String outcome = run("mount", "-o", "remount,size=" + size, mountPoint.toString());
        if (outcome != null)
        {
            throw new IllegalStateException("cannot resize the tmpfs on " + mountPoint + ": " + outcome);
        }
    }

    /**
     * @param name a file name.
     * @return the path of that name in the tmpfs.
     */
    public Path resolve(final String name)
    {
        return mountPoint.resolve(name);
    }

    @Override
    public void close()
    {
        final String outcome = run("umount", mountPoint.toString());
        if (outcome != null && run("umount", "-l", mountPoint.toString()) != null)
        {
            throw new IllegalStateException("cannot unmount the tmpfs on " + mountPoint + ": " + outcome);
        }
    }

    private static boolean isRoot()
    {
        try
        {
            return ((Number)Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        }
        catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex)
        {
            return false;
        }
    }

    /**
     * @return {@code null} on success, else what went wrong.
     */
    private static String run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes()).strip();
            final int exit = process.waitFor();
            return exit == 0 ? null : String.join(" ", command) + " exited " + exit + ": "
                + output;
        }
        catch (final IOException ex)
        {
            return String.join(" ", command) + ": " + ex.getMessage();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return String.join(" ", command) + " interrupted";
        }
    }
}
