package org.tmem4j.jmh.alloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.tmem4j.memory.PageMemory;
import org.tmem4j.zsmalloc.Zsmalloc;

/**
 * zsmalloc write, read and view of ~1.6 KiB objects already allocated (with quarter-page chunks every one of them
 * spans two or three chunks and is copied piece by piece), and the full store cycle allocate + write + free. One
 * thread per allocator.
 */
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class ZsmallocWriteReadBenchmark
{
    /** A thread's own allocator holding 4096 objects. */
    @State(Scope.Thread)
    public static class Objects
    {
        @Param({"false", "true"})
        boolean directViews;

        Arena arena;
        PageMemory memory;
        Zsmalloc allocator;
        long[] handles;
        int[] sizes;
        MemorySegment buffer;
        MemorySegment scratch;
        int next;

        @Setup(Level.Trial)
        public void setUp()
        {
            arena = Arena.ofConfined();
            memory = PageMemory.withBudget(256L << 20);
            allocator = Zsmalloc.builder(memory).directViews(directViews).build();
            buffer = arena.allocate(4096);
            scratch = arena.allocate(4096);
            for (int i = 0; i < 4096; i++)
            {
                buffer.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte)i);
            }
            sizes = Sizes.compressedPages(4096, 42);
            handles = new long[sizes.length];
            for (int i = 0; i < handles.length; i++)
            {
                handles[i] = allocator.allocate(sizes[i]);
                allocator.write(handles[i], buffer, 0);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            allocator.close();
            memory.close();
            arena.close();
        }

        int next()
        {
            final int i = next;
            next = (next + 1) & (handles.length - 1);
            return i;
        }
    }

    /** Copies an object in. */
    @Benchmark
    public void write(final Objects o)
    {
        o.allocator.write(o.handles[o.next()], o.buffer, 0);
    }

    /** Copies an object out. */
    @Benchmark
    public MemorySegment read(final Objects o)
    {
        o.allocator.read(o.handles[o.next()], o.buffer, 0);
        return o.buffer;
    }

    /** Exposes an object for decompression: a copy into scratch, or a slice of pool memory with direct views. */
    @Benchmark
    public byte view(final Objects o)
    {
        return o.allocator.view(o.handles[o.next()], o.scratch).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0);
    }

    /** A whole store cycle: allocate, write, free. */
    @Benchmark
    public long allocateWriteFree(final Objects o)
    {
        final long handle = o.allocator.allocate(o.sizes[o.next()]);
        o.allocator.write(handle, o.buffer, 0);
        o.allocator.free(handle);
        return handle;
    }
}
