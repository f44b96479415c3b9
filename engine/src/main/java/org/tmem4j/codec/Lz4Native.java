package org.tmem4j.codec;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import net.jpountz.lz4.LZ4Factory;

/**
 * Direct FFM downcalls into the LZ4 library that lz4-java ships and loads ({@code liblz4-java}, which exports the C
 * API beside its JNI entry points): {@code LZ4_compress_fast_extState_fastReset} and {@code LZ4_decompress_safe}
 * on raw addresses, and {@code XXH32} for {@link PageChecksum}. Going through JNI instead needs a direct {@link java.nio.ByteBuffer} per segment, and making one
 * for each page's fresh slice (an allocator's view of an object, an application's slice of its page array) was the
 * largest cost around the codec on the get path (8% of a zbud get) and allocated on every call.
 * <p>
 * The downcalls are {@linkplain Linker.Option#critical(boolean) critical}: LZ4 neither blocks nor calls back, and
 * one page takes microseconds, so skipping the thread state transition is safe and saves its cost on every page.
 * Pointers are passed as 64-bit integers (the C ABI of every 64-bit platform the library is built for), after
 * {@link SegmentRanges} has checked the ranges and touched each segment.
 * <p>
 * Where the library cannot be linked this way (a platform whose build hides the C symbols, or native access
 * denied), {@link #isAvailable()} is false and LZ4 goes through JNI ({@link Lz4ByteBufferCodec}), the checksum
 * through lz4-java's xxHash.
 */
final class Lz4Native
{
    /** LZ4_MAX_INPUT_SIZE: the library refuses longer inputs. */
    static final int MAX_INPUT_SIZE = 0x7E00_0000;

    private static final MethodHandle SIZEOF_STATE;
    private static final MethodHandle INIT_STREAM;
    private static final MethodHandle COMPRESS;
    private static final MethodHandle DECOMPRESS;
    private static final MethodHandle XXH32;

    static
    {
        MethodHandle sizeofState = null;
        MethodHandle initStream = null;
        MethodHandle compress = null;
        MethodHandle decompress = null;
        MethodHandle xxh32 = null;
        try
        {
            // loads liblz4-java through the class loader that also loads this class, so loaderLookup sees it
            LZ4Factory.nativeInstance();
            final SymbolLookup library = SymbolLookup.loaderLookup();
            final Linker linker = Linker.nativeLinker();
            final Linker.Option critical = Linker.Option.critical(false);
            final ValueLayout.OfLong pointer = ValueLayout.JAVA_LONG;
            final ValueLayout.OfInt integer = ValueLayout.JAVA_INT;
            sizeofState = linker.downcallHandle(library.findOrThrow("LZ4_sizeofState"),
                FunctionDescriptor.of(integer), critical);
            initStream = linker.downcallHandle(library.findOrThrow("LZ4_initStream"),
                FunctionDescriptor.of(pointer, pointer, ValueLayout.JAVA_LONG), critical);
            compress = linker.downcallHandle(library.findOrThrow("LZ4_compress_fast_extState_fastReset"),
                FunctionDescriptor.of(integer, pointer, pointer, pointer, integer, integer, integer), critical);
            decompress = linker.downcallHandle(library.findOrThrow("LZ4_decompress_safe"),
                FunctionDescriptor.of(integer, pointer, pointer, integer, integer), critical);
            xxh32 = linker.downcallHandle(library.findOrThrow("XXH32"),
                FunctionDescriptor.of(integer, pointer, ValueLayout.JAVA_LONG, integer), critical);
        }
        catch (final RuntimeException | UnsatisfiedLinkError ex)
        {
            // NoSuchElementException (symbol hidden), IllegalCallerException (native access denied), no linker:
            // JNI it is
            sizeofState = null;
            initStream = null;
            compress = null;
            decompress = null;
            xxh32 = null;
        }
        SIZEOF_STATE = sizeofState;
        INIT_STREAM = initStream;
        COMPRESS = compress;
        DECOMPRESS = decompress;
        XXH32 = xxh32;
    }

    private Lz4Native()
    {
    }

    /**
     * {@return whether the downcalls are linked}
     */
    static boolean isAvailable()
    {
        return DECOMPRESS != null;
    }

    /**
     * {@return the bytes of an {@code LZ4_stream_t}}
     */
    static int stateSize()
    {
        try
        {
            return (int)SIZEOF_STATE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw failed("LZ4_sizeofState", ex);
        }
    }

    /**
     * Initialises a compression state once, as {@code LZ4_compress_fast_extState_fastReset} requires.
     *
     * @param state {@link #stateSize()} bytes, 8-byte aligned.
     */
    static void initStream(final MemorySegment state)
    {
        final long initialised;
        try
        {
            initialised = (long)INIT_STREAM.invokeExact(state.address(), state.byteSize());
        }
        catch (final Throwable ex)
        {
            throw failed("LZ4_initStream", ex);
        }
        if (initialised != state.address())
        {
            throw new IllegalStateException("LZ4_initStream refused a state of " + state.byteSize() + " bytes at " +
                state);
        }
    }

    /**
     * @return the compressed length, or 0 if it would exceed {@code dstCapacity}.
     */
    static int compress(final long state, final long src, final long dst, final int srcLength, final int dstCapacity,
        final int acceleration)
    {
        try
        {
            return (int)COMPRESS.invokeExact(state, src, dst, srcLength, dstCapacity, acceleration);
        }
        catch (final Throwable ex)
        {
            throw failed("LZ4_compress_fast_extState_fastReset", ex);
        }
    }

    /**
     * @return the decompressed length, or a negative number if the block is malformed or does not fit.
     */
    static int decompress(final long src, final long dst, final int srcLength, final int dstCapacity)
    {
        try
        {
            return (int)DECOMPRESS.invokeExact(src, dst, srcLength, dstCapacity);
        }
        catch (final Throwable ex)
        {
            throw failed("LZ4_decompress_safe", ex);
        }
    }

    /**
     * @return the xxHash32 of {@code length} bytes at {@code address}.
     */
    static int xxh32(final long address, final long length, final int seed)
    {
        try
        {
            return (int)XXH32.invokeExact(address, length, seed);
        }
        catch (final Throwable ex)
        {
            throw failed("XXH32", ex);
        }
    }

    private static IllegalStateException failed(final String function, final Throwable cause)
    {
        return new IllegalStateException(function + " failed", cause);
    }
}
