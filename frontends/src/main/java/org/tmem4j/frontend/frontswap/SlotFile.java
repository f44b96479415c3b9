package org.tmem4j.frontend.frontswap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The backing file of a swap area: fixed-size slots read and written at their offsets with {@code pread(2)} and
 * {@code pwrite(2)} on a file descriptor of its own, from any number of threads.
 * <p>
 * <b>Why a raw descriptor.</b> A {@link java.nio.channels.FileChannel} closes itself, for every thread, when one
 * thread blocked in it is interrupted, and any way back to the file goes through its path, which may by then name
 * nothing (the file was deleted) or another file (it was replaced): pages lost, or other bytes served as hits. A
 * native call is not interruptible, so the descriptor opened at {@code swapon} stays open, on the same inode, until
 * {@code swapoff}, whatever happens to the path or to the threads using it; an interrupted caller keeps its
 * interrupt status for its next blocking call.
 * <p>
 * <b>One file, one area.</b> Two areas on one file would overwrite each other's slots, so the files in use are
 * claimed in this JVM by identity (device and inode: hard links and symbolic links to a file are the same file) and
 * by canonical path; {@link #open} refuses a claimed file, naming the area that holds it. Only regular files are
 * accepted: a device such as {@code /dev/null} would swallow every page.
 * <p>
 * Linux only: {@link #open} throws {@link UnsupportedOperationException} elsewhere.
 */
final class SlotFile implements AutoCloseable
{
    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");
    private static final int O_RDWR = 02;
    private static final int O_CREAT = 0100;
    private static final int O_CLOEXEC = 02000000;
    private static final int CREATE_MODE = 0600;
    private static final int EINTR = 4;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN;
    private static final MethodHandle PREAD;
    private static final MethodHandle PWRITE;
    private static final MethodHandle FTRUNCATE;
    private static final MethodHandle CLOSE;
    private static final MethodHandle STRERROR;

    /** The files claimed by open areas, under both their identity and their canonical path. */
    private static final Map<Object, SlotFile> CLAIMED = new ConcurrentHashMap<>();

    static
    {
        final Linker linker = Linker.nativeLinker();
        final Linker.Option errno = Linker.Option.captureCallState("errno");
        OPEN = downcall(linker, "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), errno,
            Linker.Option.firstVariadicArg(2));
        PREAD = downcall(linker, "pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
            errno);
        PWRITE = downcall(linker, "pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
            errno);
        FTRUNCATE = downcall(linker, "ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), errno);
        CLOSE = downcall(linker, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
        STRERROR = downcall(linker, "strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private final Path path;
    private final int slotSize;
    private final int fd;
    private final Object identity;
    private final Path canonicalPath;
    private final String user;

    private SlotFile(final Path path, final int slotSize, final int fd, final Object identity,
        final Path canonicalPath, final String user)
    {
        this.path = path;
        this.slotSize = slotSize;
        this.fd = fd;
        this.identity = identity;
        this.canonicalPath = canonicalPath;
        this.user = user;
    }

    /**
     * Opens (creating it if needed) and claims a swap file, then empties it.
     *
     * @param path     the file.
     * @param slotSize bytes per slot.
     * @param user     who uses the file, for the message refusing a second user, e.g. {@code swap area 3 (...)}.
     * @return the file, claimed until {@link #close()}.
     * @throws IllegalArgumentException      if the path names something other than a regular file, or a file
     *                                       claimed by another area.
     * @throws UncheckedIOException          if the file cannot be opened.
     * @throws UnsupportedOperationException if the operating system is not Linux.
     */
    static SlotFile open(final Path path, final int slotSize, final String user)
    {
        if (!LINUX)
        {
            throw new UnsupportedOperationException("swap files are supported on Linux only, not on "
                + System.getProperty("os.name"));
        }
        if (Files.exists(path) && !Files.isRegularFile(path))
        {
            throw notRegular(path);
        }
        final SlotFile byPath = CLAIMED.get(canonicalGuess(path));
        if (byPath != null)
        {
            // refused before open(2) could create a file where a live area's file was deleted
            throw byPath.inUse(path);
        }
        final int fd = openDescriptor(path);
        try
        {
            final BasicFileAttributes attributes = Files.readAttributes(Path.of("/proc/self/fd/" + fd),
                BasicFileAttributes.class);
            if (!attributes.isRegularFile())
            {
                throw notRegular(path);
            }
            final SlotFile file = new SlotFile(path, slotSize, fd, attributes.fileKey(), path.toRealPath(), user);
            file.claim();
            try
            {
                file.truncate();
            }
            catch (final RuntimeException ex)
            {
                file.release();
                throw ex;
            }
            return file;
        }
        catch (final IOException ex)
        {
            closeQuietly(fd);
            throw new UncheckedIOException("cannot open swap file " + path + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(fd);
            throw ex;
        }
    }

    /**
     * Writes one slot.
     *
     * @throws UncheckedIOException naming the slot, the file and the system's reason, if the write fails.
     */
    void write(final int slot, final MemorySegment page)
    {
        final long base = (long)slot * slotSize;
        final String what = "cannot write slot " + slot + " of swap file " + path;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment source = page.isNative() ? page : arena.allocate(slotSize).copyFrom(page);
            long done = 0;
            while (done < slotSize)
            {
                final long at = done;
                done += call(what, state -> (long)PWRITE.invokeExact(state, fd, source.asSlice(at), slotSize - at,
                    base + at));
            }
        }
    }

    /**
     * Reads one slot.
     *
     * @throws UncheckedIOException  naming the slot, the file and the system's reason, if the read fails.
     * @throws IllegalStateException if the file ends before the slot (something outside cut it short).
     */
    void read(final int slot, final MemorySegment dst)
    {
        final long base = (long)slot * slotSize;
        final String what = "cannot read slot " + slot + " of swap file " + path;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment target = dst.isNative() ? dst : arena.allocate(slotSize);
            long done = 0;
            while (done < slotSize)
            {
                final long at = done;
                final long n = call(what, state -> (long)PREAD.invokeExact(state, fd, target.asSlice(at),
                    slotSize - at, base + at));
                if (n == 0)
                {
                    throw new IllegalStateException("swap file " + path + " ends at " + (base + done)
                        + " bytes, inside slot " + slot + " (" + base + ".." + (base + slotSize)
                        + "): something outside this swap area cut it short");
                }
                done += n;
            }
            if (target != dst)
            {
                dst.copyFrom(target);
            }
        }
    }

    /**
     * Closes the descriptor and gives the file back. Only once no read or write can still be running.
     */
    @Override
    public void close()
    {
        release();
        // close(2) is never repeated: on Linux the descriptor is released even when it answers EINTR
        call("cannot close swap file " + path, state ->
        {
            final int result = (int)CLOSE.invokeExact(state, fd);
            return result < 0 && errno(state) == EINTR ? 0 : result;
        });
    }

    private void claim()
    {
        final SlotFile byIdentity = CLAIMED.putIfAbsent(identity, this);
        if (byIdentity != null)
        {
            throw byIdentity.inUse(path);
        }
        final SlotFile byPath = CLAIMED.putIfAbsent(canonicalPath, this);
        if (byPath != null)
        {
            CLAIMED.remove(identity, this);
            throw byPath.inUse(path);
        }
    }

    private void release()
    {
        CLAIMED.remove(identity, this);
        CLAIMED.remove(canonicalPath, this);
    }

    private IllegalArgumentException inUse(final Path asked)
    {
        return new IllegalArgumentException("swap file " + asked + " is the file of " + user + " (" + canonicalPath
            + "), which is swapped on; swap it off first, or give another file");
    }

    /**
     * @return the canonical path the file would have if it were created now: its directory's real path and its name.
     */
    private static Path canonicalGuess(final Path path)
    {
        final Path absolute = path.toAbsolutePath();
        try
        {
            return absolute.getParent().toRealPath().resolve(absolute.getFileName());
        }
        catch (final IOException | RuntimeException ex)
        {
            return absolute;
        }
    }

    private void truncate()
    {
        call("cannot truncate swap file " + path, state -> (int)FTRUNCATE.invokeExact(state, fd, 0L));
    }

    private static int openDescriptor(final Path path)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment name = arena.allocateFrom(path.toString());
            return (int)call("cannot open swap file " + path,
                state -> (int)OPEN.invokeExact(state, name, O_RDWR | O_CREAT | O_CLOEXEC, CREATE_MODE));
        }
    }

    private static void closeQuietly(final int fd)
    {
        try
        {
            call("close", state -> (int)CLOSE.invokeExact(state, fd));
        }
        catch (final RuntimeException ignored)
        {
            // the open already failed; that failure is what the caller needs to see
        }
    }

    /**
     * Makes a system call, again as long as a signal interrupts it ({@code EINTR}).
     *
     * @param what    the failure's message, without the reason.
     * @param syscall the call, given the segment that captures {@code errno}.
     * @return its result, {@code >= 0}.
     * @throws UncheckedIOException with the system's reason if the call fails.
     */
    private static long call(final String what, final Syscall syscall)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CALL_STATE);
            while (true)
            {
                final long result = syscall.call(state);
                if (result >= 0)
                {
                    return result;
                }
                final int errno = errno(state);
                if (errno != EINTR)
                {
                    throw failure(what, errno);
                }
            }
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(what + ": the native call failed", t);
        }
    }

    private static IllegalArgumentException notRegular(final Path path)
    {
        return new IllegalArgumentException("swap file " + path + " is not a regular file; give the path of a "
            + "regular file, or of one to create");
    }

    private static int errno(final MemorySegment state)
    {
        return (int)ERRNO.get(state, 0L);
    }

    private static UncheckedIOException failure(final String what, final int errno)
    {
        final String reason = reason(errno);
        return new UncheckedIOException(what + ": " + reason, new IOException(reason + " (errno " + errno + ")"));
    }

    private static String reason(final int errno)
    {
        try
        {
            final MemorySegment text = (MemorySegment)STRERROR.invokeExact(errno);
            return text.reinterpret(Integer.MAX_VALUE).getString(0);
        }
        catch (final Throwable t)
        {
            return "errno " + errno;
        }
    }

    /** A system call through a downcall handle that captures {@code errno} into the given segment. */
    @FunctionalInterface
    private interface Syscall
    {
        long call(MemorySegment state) throws Throwable;
    }

    private static MethodHandle downcall(final Linker linker, final String name, final FunctionDescriptor descriptor,
        final Linker.Option... options)
    {
        return linker.defaultLookup().find(name)
            .map(symbol -> linker.downcallHandle(symbol, descriptor, options))
            .orElseThrow(() -> new IllegalStateException("the C library has no " + name + "()"));
    }
}
