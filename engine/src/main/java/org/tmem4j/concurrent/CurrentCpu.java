package org.tmem4j.concurrent;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The CPU the calling thread runs on, from glibc's {@code sched_getcpu} (served from {@code rseq} or the vDSO, no
 * system call): the key every per-CPU structure of tmem4j (compressor slots, allocator shards, page caches) is
 * chosen by. The downcall is {@linkplain Linker.Option#critical(boolean) critical}: it neither blocks nor calls
 * back, so it skips the thread state transition and costs a few nanoseconds. For a virtual thread the answer is its
 * carrier's CPU, which is what a per-CPU structure wants.
 */
public final class CurrentCpu
{
    private static final MethodHandle SCHED_GETCPU = lookUp();

    private CurrentCpu()
    {
    }

    /**
     * {@return whether {@code sched_getcpu} could be linked (Linux with native access enabled)}
     */
    public static boolean isAvailable()
    {
        return SCHED_GETCPU != null;
    }

    /**
     * {@return the current CPU number, 0 or more; 0 if the call fails}
     *
     * @throws IllegalStateException if {@link #isAvailable()} is false.
     */
    public static int id()
    {
        if (SCHED_GETCPU == null)
        {
            throw new IllegalStateException("sched_getcpu is not available on this platform");
        }
        final int cpu;
        try
        {
            cpu = (int)SCHED_GETCPU.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("sched_getcpu failed", ex);
        }
        return Math.max(cpu, 0);
    }

    /**
     * {@return the current CPU where {@link #isAvailable()}, else {@link #threadStripe()}: a non-negative key that
     * threads running at the same time on different CPUs rarely share}
     */
    public static int stripe()
    {
        return SCHED_GETCPU != null ? id() : threadStripe();
    }

    /**
     * {@return a non-negative hash of the current thread's id}
     */
    public static int threadStripe()
    {
        final long id = Thread.currentThread().threadId();
        return (int)((id * 0x9E3779B97F4A7C15L) >>> 33);
    }

    private static MethodHandle lookUp()
    {
        try
        {
            final Linker linker = Linker.nativeLinker();
            final Optional<MemorySegment> symbol = linker.defaultLookup().find("sched_getcpu");
            return symbol.map(address -> linker.downcallHandle(
                address, FunctionDescriptor.of(ValueLayout.JAVA_INT), Linker.Option.critical(false))).orElse(null);
        }
        catch (final IllegalCallerException | UnsupportedOperationException ex)
        {
            // native access not enabled or no native linker: structures are chosen by thread instead
            return null;
        }
    }
}
