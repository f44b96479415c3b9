package org.tmem4j.codec;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Native memory between two inaccessible guard pages ({@code mmap} then {@code mprotect(PROT_NONE)}): a native read
 * or write one byte before or past the usable range kills the JVM with SIGSEGV, so a test that places data flush
 * against a guard proves the code under test stays inside its range. Linux only.
 */
final class GuardedMemory implements AutoCloseable
{
    private static final long GUARD = 4096;
    private static final int PROT_NONE = 0;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final MethodHandle MMAP;
    private static final MethodHandle MPROTECT;
    private static final MethodHandle MUNMAP;

    static
    {
        final Linker linker = Linker.nativeLinker();
        MMAP = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        MPROTECT = linker.downcallHandle(linker.defaultLookup().find("mprotect").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
        MUNMAP = linker.downcallHandle(linker.defaultLookup().find("munmap").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    }

    private final long address;
    private final long mapped;
    private final MemorySegment usable;

    /** Maps {@code usableBytes} (rounded up to whole pages) between two guard pages. */
    GuardedMemory(final long usableBytes)
    {
        final long usableRounded = (usableBytes + GUARD - 1) & -GUARD;
        this.mapped = usableRounded + 2 * GUARD;
        try
        {
            this.address = (long)MMAP.invokeExact(MemorySegment.NULL, mapped, PROT_READ_WRITE,
                MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (address == -1L)
            {
                throw new IllegalStateException("mmap failed");
            }
            if ((int)MPROTECT.invokeExact(address, GUARD, PROT_NONE) != 0 ||
                (int)MPROTECT.invokeExact(address + GUARD + usableRounded, GUARD, PROT_NONE) != 0)
            {
                throw new IllegalStateException("mprotect failed");
            }
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
        this.usable = MemorySegment.ofAddress(address + GUARD).reinterpret(usableRounded);
    }

    /** @return the accessible memory; a guard page lies right before its first and right after its last byte. */
    MemorySegment usable()
    {
        return usable;
    }

    /** @return the offset in {@link #usable()} at which {@code length} bytes end flush against the guard. */
    long flushEnd(final int length)
    {
        return usable.byteSize() - length;
    }

    @Override
    public void close()
    {
        try
        {
            final int ignored = (int)MUNMAP.invokeExact(address, mapped);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
