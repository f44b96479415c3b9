package org.tmem4j.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Anonymous private memory mapped straight from the kernel through {@code mmap}, so a slab is neither zero-filled
 * by the JVM nor taken from the C heap, can be aligned to a huge page and advised with {@code MADV_HUGEPAGE}, and
 * is unmapped the moment its arena closes.
 * <p>
 * Only Linux is supported by this path; {@link #isAvailable()} says whether it is, and {@link PageMemory} falls back
 * to {@link Arena#allocate(long, long)} where it is not.
 */
final class AnonymousMapping
{
    static final long HUGE_PAGE_SIZE = 2L << 20;

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final long MAP_FAILED = -1L;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static
    {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        if (System.getProperty("os.name", "").startsWith("Linux"))
        {
            try
            {
                final Linker linker = Linker.nativeLinker();
                final SymbolLookup libc = linker.defaultLookup();
                final Optional<MemorySegment> mmapSymbol = libc.find("mmap");
                final Optional<MemorySegment> munmapSymbol = libc.find("munmap");
                final Optional<MemorySegment> madviseSymbol = libc.find("madvise");
                if (mmapSymbol.isPresent() && munmapSymbol.isPresent() && madviseSymbol.isPresent())
                {
                    mmap = linker.downcallHandle(mmapSymbol.get(),
                        FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
                    munmap = linker.downcallHandle(munmapSymbol.get(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
                    madvise = linker.downcallHandle(madviseSymbol.get(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
                }
            }
            catch (final IllegalCallerException | UnsupportedOperationException ex)
            {
                // native access is not enabled for this module: PageMemory uses Arena.allocate instead
                mmap = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private AnonymousMapping()
    {
    }

    static boolean isAvailable()
    {
        return MMAP != null;
    }

    /**
     * Maps {@code bytes} (a multiple of the page size) aligned to {@code alignment}, tied to {@code arena}: closing
     * the arena unmaps the memory.
     *
     * @return the mapping, or {@code null} when the kernel refused it.
     */
    static MemorySegment map(final Arena arena, final long bytes, final long alignment, final boolean hugePages)
    {
        try
        {
            // Over-map by the alignment and trim both ends: mmap itself only promises 4 KiB alignment.
            final long span = bytes + alignment;
            final long raw = (long)MMAP.invokeExact(MemorySegment.NULL, span, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS,
                -1, 0L);
            if (raw == MAP_FAILED || raw == 0)
            {
                return null;
            }
            final long start = (raw + alignment - 1) & -alignment;
            final long head = start - raw;
            final long tail = span - head - bytes;
            if (head > 0)
            {
                final int ignored = (int)MUNMAP.invokeExact(raw, head);
            }
            if (tail > 0)
            {
                final int ignored = (int)MUNMAP.invokeExact(start + bytes, tail);
            }
            if (hugePages)
            {
                // advisory only: a kernel without THP answers EINVAL and the slab simply uses small pages
                final int ignored = (int)MADVISE.invokeExact(start, bytes, MADV_HUGEPAGE);
            }
            return MemorySegment.ofAddress(start).reinterpret(bytes, arena, segment -> unmap(start, bytes));
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("mmap of " + bytes + " bytes failed", t);
        }
    }

    private static void unmap(final long address, final long bytes)
    {
        try
        {
            final int ignored = (int)MUNMAP.invokeExact(address, bytes);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("munmap of " + bytes + " bytes at " + address + " failed", t);
        }
    }
}
