package org.tmem4j.hardening;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A thread on which every positional file read and write fails with {@code EIO}, injected below the library by a
 * seccomp filter on {@code pread64} and {@code pwrite64}: the failing disk that a tmpfs cannot imitate (a full
 * tmpfs still overwrites blocks it holds, and never fails a read). The filter binds that one thread only, for its
 * whole life, so the test hands operations to it and keeps every other thread healthy. Linux on x86-64 or AArch64.
 */
final class FailingFileIo implements AutoCloseable
{
    private static final int EIO = 5;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int PR_SET_SECCOMP = 22;
    private static final int SECCOMP_MODE_FILTER = 2;
    private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    private static final int SECCOMP_RET_ERRNO = 0x00050000;
    private static final short LD_W_ABS = 0x20;
    private static final short JEQ_K = 0x15;
    private static final short RET_K = 0x06;
    private static final StructLayout SOCK_FILTER = MemoryLayout.structLayout(JAVA_SHORT.withName("code"),
        JAVA_BYTE.withName("jt"), JAVA_BYTE.withName("jf"), JAVA_INT.withName("k"));
    private static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(JAVA_SHORT.withName("len"),
        MemoryLayout.paddingLayout(6), ADDRESS.withName("filter"));

    private final ExecutorService thread;

    private FailingFileIo(final ExecutorService thread)
    {
        this.thread = thread;
    }

    /**
     * @return the failing thread, or {@code null} if the filter cannot be installed here (not Linux, another
     * architecture, seccomp refused).
     */
    static FailingFileIo start() throws Exception
    {
        final int[] numbers = switch (System.getProperty("os.arch"))
        {
            case "amd64", "x86_64" -> new int[] {17, 18};
            case "aarch64" -> new int[] {67, 68};
            default -> null;
        };
        if (numbers == null || !System.getProperty("os.name", "").startsWith("Linux"))
        {
            return null;
        }
        final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "failing-file-io"));
        final boolean installed = thread.submit(() ->
        {
            try
            {
                return install(numbers[0], numbers[1]);
            }
            catch (final Throwable t)
            {
                throw new IllegalStateException("installing the seccomp filter failed", t);
            }
        }).get();
        if (!installed)
        {
            thread.shutdown();
            return null;
        }
        return new FailingFileIo(thread);
    }

    /**
     * Runs an action on the failing thread and returns what it returned, or throws what it threw.
     */
    <T> T call(final java.util.concurrent.Callable<T> action) throws Exception
    {
        try
        {
            return thread.submit(action).get();
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            if (ex.getCause() instanceof Exception cause)
            {
                throw cause;
            }
            throw ex;
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        thread.shutdown();
        thread.awaitTermination(1, TimeUnit.MINUTES);
    }

    private static boolean install(final int pread, final int pwrite) throws Throwable
    {
        final Linker linker = Linker.nativeLinker();
        final MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
        try (Arena arena = Arena.ofConfined())
        {
            final int[][] program = {
                {LD_W_ABS, 0, 0, 0},                       // A = seccomp_data.nr
                {JEQ_K, 2, 0, pread},                      // pread64  -> fail
                {JEQ_K, 1, 0, pwrite},                     // pwrite64 -> fail
                {RET_K, 0, 0, SECCOMP_RET_ALLOW},
                {RET_K, 0, 0, SECCOMP_RET_ERRNO | EIO},
            };
            final MemorySegment filter = arena.allocate(SOCK_FILTER, program.length);
            for (int i = 0; i < program.length; i++)
            {
                final MemorySegment insn = filter.asSlice(i * SOCK_FILTER.byteSize(), SOCK_FILTER);
                insn.set(JAVA_SHORT, 0, (short)program[i][0]);
                insn.set(JAVA_BYTE, 2, (byte)program[i][1]);
                insn.set(JAVA_BYTE, 3, (byte)program[i][2]);
                insn.set(JAVA_INT, 4, program[i][3]);
            }
            final MemorySegment prog = arena.allocate(SOCK_FPROG);
            prog.set(JAVA_SHORT, 0, (short)program.length);
            prog.set(ADDRESS, 8, filter);
            return (int)prctl.invokeExact(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) == 0
                && (int)prctl.invokeExact(PR_SET_SECCOMP, (long)SECCOMP_MODE_FILTER, prog.address(), 0L, 0L) == 0;
        }
    }
}
