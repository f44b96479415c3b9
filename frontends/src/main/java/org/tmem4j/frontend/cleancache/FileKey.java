package org.tmem4j.frontend.cleancache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The 192-bit key cleancache files its pages under: the kernel's {@code cleancache_filekey}, a 24-byte file handle
 * (a tmem object id). All three words {@code -1} is the invalid key.
 *
 * @param a first word.
 * @param b second word.
 * @param c third word.
 */
public record FileKey(long a, long b, long c)
{
    /**
     * Creates a key; the canonical constructor, which refuses the invalid key.
     *
     * @throws IllegalArgumentException if all three words are {@code -1}.
     */
    public FileKey
    {
        if (a == -1 && b == -1 && c == -1)
        {
            throw new IllegalArgumentException("file key (-1, -1, -1) is the invalid key; use any other value");
        }
    }

    /**
     * The key of a file from its identity, not its path: device and inode number, plus the inode's change time when
     * the key is taken. Two paths to one file (links, renames) give the same key; a file replaced or changed by
     * another process since gives a different key, so its old pages can never be served for its new contents.
     *
     * @param file a file on a file system with Unix attributes (Linux, macOS).
     * @return its key.
     * @throws IllegalArgumentException      if the file is null.
     * @throws UnsupportedOperationException if the file system has no Unix attributes.
     * @throws UncheckedIOException          if the attributes cannot be read.
     */
    public static FileKey of(final Path file)
    {
        if (file == null)
        {
            throw new IllegalArgumentException("file is null; give the path of the file to key");
        }
        if (!file.getFileSystem().supportedFileAttributeViews().contains("unix"))
        {
            throw new UnsupportedOperationException("file system of " + file + " has no unix:dev/unix:ino "
                + "attributes to identify files by; construct a FileKey from your own file identity instead");
        }
        final Map<String, Object> attributes;
        try
        {
            attributes = Files.readAttributes(file, "unix:dev,ino,ctime");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the identity of " + file, ex);
        }
        final long dev = ((Number)attributes.get("dev")).longValue();
        final long ino = ((Number)attributes.get("ino")).longValue();
        final long ctime = ((FileTime)attributes.get("ctime")).to(TimeUnit.NANOSECONDS);
        return new FileKey(dev, ino, ctime);
    }
}
