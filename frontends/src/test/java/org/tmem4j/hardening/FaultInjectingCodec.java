package org.tmem4j.hardening;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;

/**
 * A real codec behind a switchboard of faults, for the engine's compressor slots: it throws, answers lengths that
 * make no sense, writes garbage where the compressed block goes, or hands back garbage as the decompressed page.
 * All codecs made by one {@link Faults} share its rates and counts, so a test flips faults on every slot at once
 * and reads how many of each were injected.
 */
final class FaultInjectingCodec implements Codec
{
    /** What can go wrong, each at its own rate. */
    enum Fault
    {
        /** compress throws. */
        COMPRESS_THROWS,
        /** compress answers 0: an empty block. */
        COMPRESS_RETURNS_ZERO,
        /** compress answers a negative length that is not {@link Codec#DOES_NOT_FIT}. */
        COMPRESS_RETURNS_NEGATIVE,
        /** compress answers more than the destination's capacity. */
        COMPRESS_RETURNS_TOO_MUCH,
        /** compress answers the right length but one byte of the block is garbage. */
        COMPRESS_WRITES_GARBAGE,
        /** decompress throws something other than a corruption report. */
        DECOMPRESS_THROWS,
        /** decompress answers success but one byte of the page is garbage. */
        DECOMPRESS_WRITES_GARBAGE
    }

    /** Rates (per 1024 calls of the matching direction) and counts shared by a family of codecs. */
    static final class Faults
    {
        private final AtomicLongArray injected = new AtomicLongArray(Fault.values().length);
        private final int[] rates = new int[Fault.values().length];
        private final AtomicLong streams;

        Faults(final long seed)
        {
            this.streams = new AtomicLong(seed);
        }

        /**
         * @param fault   a fault.
         * @param per1024 how often, per 1024 calls of its direction; 0 turns it off.
         */
        synchronized void rate(final Fault fault, final int per1024)
        {
            rates[fault.ordinal()] = per1024;
        }

        synchronized void off()
        {
            Arrays.fill(rates, 0);
        }

        long injected(final Fault fault)
        {
            return injected.get(fault.ordinal());
        }

        Map<Fault, Long> injected()
        {
            final Map<Fault, Long> counts = new EnumMap<>(Fault.class);
            for (final Fault fault : Fault.values())
            {
                counts.put(fault, injected(fault));
            }
            return counts;
        }

        /**
         * @param spec the real codec each wrapper delegates to.
         * @return a factory for the engine's builder.
         */
        Supplier<Codec> codecs(final CodecSpec spec)
        {
            return () ->
                new FaultInjectingCodec(spec.newCodec(), this, new SplittableRandom(streams.getAndIncrement()));
        }

        private synchronized Fault pick(final SplittableRandom random, final boolean compress)
        {
            for (final Fault fault : Fault.values())
            {
                final boolean compressing = fault.ordinal() <= Fault.COMPRESS_WRITES_GARBAGE.ordinal();
                final int rate = rates[fault.ordinal()];
                if (compressing == compress && rate > 0 && random.nextInt(1024) < rate)
                {
                    injected.incrementAndGet(fault.ordinal());
                    return fault;
                }
            }
            return null;
        }
    }

    private final Codec delegate;
    private final Faults faults;
    private final SplittableRandom random;

    private FaultInjectingCodec(final Codec delegate, final Faults faults, final SplittableRandom random)
    {
        this.delegate = delegate;
        this.faults = faults;
        this.random = random;
    }

    @Override
    public String name()
    {
        return delegate.name();
    }

    @Override
    public int maxCompressedLength(final int srcLength)
    {
        return delegate.maxCompressedLength(srcLength);
    }

    @Override
    public int compress(final MemorySegment src, final long srcOffset, final int srcLength, final MemorySegment dst,
        final long dstOffset, final int dstCapacity)
    {
        final Fault fault = faults.pick(random, true);
        if (fault == Fault.COMPRESS_THROWS)
        {
            throw new IllegalStateException("injected fault: the codec failed to compress");
        }
        final int length = delegate.compress(src, srcOffset, srcLength, dst, dstOffset, dstCapacity);
        if (fault == null || length <= 0)
        {
            return length;
        }
        return switch (fault)
        {
            case COMPRESS_RETURNS_ZERO -> 0;
            case COMPRESS_RETURNS_NEGATIVE -> -7;
            case COMPRESS_RETURNS_TOO_MUCH -> dstCapacity + 1;
            case COMPRESS_WRITES_GARBAGE ->
            {
                flip(dst, dstOffset + random.nextInt(length));
                yield length;
            }
            default -> length;
        };
    }

    @Override
    public int decompress(final MemorySegment src, final long srcOffset, final int srcLength, final MemorySegment dst,
        final long dstOffset, final int dstLength)
    {
        final Fault fault = faults.pick(random, false);
        if (fault == Fault.DECOMPRESS_THROWS)
        {
            throw new IllegalStateException("injected fault: the codec failed to decompress");
        }
        final int length = delegate.decompress(src, srcOffset, srcLength, dst, dstOffset, dstLength);
        if (fault == Fault.DECOMPRESS_WRITES_GARBAGE)
        {
            flip(dst, dstOffset + random.nextInt(dstLength));
        }
        return length;
    }

    @Override
    public void close()
    {
        delegate.close();
    }

    private static void flip(final MemorySegment segment, final long at)
    {
        segment.set(ValueLayout.JAVA_BYTE, at, (byte)~segment.get(ValueLayout.JAVA_BYTE, at));
    }
}
