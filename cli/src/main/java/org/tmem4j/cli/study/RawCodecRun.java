package org.tmem4j.cli.study;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;

/**
 * The codec alone on the study's pages: every page compressed into one packed buffer, then every compressed page
 * decompressed into its own place in a pre-touched output area, exactly as the frontswap loads write theirs, so the
 * two speeds compare like for like. The outputs are checked against the pages after the timed loops.
 * <p>
 * The packed buffer holds the blocks back to back in the order they are read, which no store's memory does: a second
 * timed loop decompresses the same blocks, in the same order, from a copy that holds them back to back in a shuffled
 * order (the same for every run), as blocks lie in a store that places them by size or by where room was. The two
 * decompress speeds bracket what the layout of the blocks alone costs a load, before any work of the store's own.
 *
 * @param compressedBytes      the pages' compressed sizes added up.
 * @param compressMbPerS       10^6 original bytes compressed per second.
 * @param decompressMbPerS     10^6 original bytes decompressed per second, the blocks read back to back.
 * @param shuffledDecompressMbPerS 10^6 original bytes decompressed per second, the blocks read in the same order
 *                             from shuffled places.
 * @param verified             whether every page decompressed to itself, both times.
 */
public record RawCodecRun(long compressedBytes, double compressMbPerS, double decompressMbPerS,
    double shuffledDecompressMbPerS, boolean verified)
{
    /** Seed of the shuffled placement: every run places the blocks of a corpus alike. */
    private static final long SHUFFLE_SEED = 0x73e3a40L;

    /**
     * @param spec     the codec.
     * @param pages    the pages, {@code count} × {@code pageSize} bytes.
     * @param count    how many pages.
     * @param pageSize bytes per page.
     * @param loaded   {@code count} × {@code pageSize} bytes of pre-touched output, overwritten.
     * @param warmUp   whether to run the codec's Java paths to compiled code before timing them.
     * @param progress where progress bars go for steps over a second, or null.
     * @return what the codec did.
     */
    public static RawCodecRun measure(final CodecSpec spec, final MemorySegment pages, final int count,
        final int pageSize, final MemorySegment loaded, final boolean warmUp, final PrintStream progress)
    {
        try (Codec codec = spec.newCodec(); Arena arena = Arena.ofConfined())
        {
            final int bound = codec.maxCompressedLength(pageSize);
            final MemorySegment packed = arena.allocate((long)bound * count);
            final int[] lengths = new int[count];
            final long[] offsets = new long[count];

            if (warmUp)
            {
                warmUp(codec, pages, Math.min(count, 2048), pageSize, packed, bound, loaded);
            }

            long offset = 0;
            final long compressStart;
            final long compressNanos;
            final String name = StudyResult.codecLabel(spec);
            try (StepProgress step = StepProgress.start(name + " raw compress", count, progress))
            {
                compressStart = System.nanoTime();
                for (int i = 0; i < count; i++)
                {
                    final int length = codec.compress(pages, (long)i * pageSize, pageSize, packed, offset, bound);
                    if (length < 0)
                    {
                        throw new IllegalStateException(spec + " did not fit page " + i + " in its own bound " + bound);
                    }
                    offsets[i] = offset;
                    lengths[i] = length;
                    offset += length;
                    step.step();
                }
                compressNanos = System.nanoTime() - compressStart;
            }
            final long bytes = (long)count * pageSize;
            final Decompressed inOrder = decompressEach(codec, packed, offsets, lengths, pages, loaded, pageSize,
                name + " raw decompress", progress);
            final MemorySegment reordered = arena.allocate(Math.max(1, offset));
            final Decompressed shuffled = decompressEach(codec, reordered,
                placeShuffled(packed, offsets, lengths, reordered), lengths, pages, loaded, pageSize,
                name + " raw decompress, shuffled places", progress);
            return new RawCodecRun(offset, mbPerS(bytes, compressNanos), mbPerS(bytes, inOrder.nanos()),
                mbPerS(bytes, shuffled.nanos()), inOrder.verified() && shuffled.verified());
        }
    }

    /** How long a pass of {@link #decompressEach} took, and whether every page came back. */
    private record Decompressed(long nanos, boolean verified)
    {
    }

    /**
     * Decompresses every block, in page order, into its page's place of {@code loaded} (filled with a pattern first,
     * so that a page left unwritten cannot pass), timed; then checks the output against the pages.
     */
    private static Decompressed decompressEach(final Codec codec, final MemorySegment blocks, final long[] offsets,
        final int[] lengths, final MemorySegment pages, final MemorySegment loaded, final int pageSize,
        final String label, final PrintStream progress)
    {
        final int count = lengths.length;
        final long bytes = (long)count * pageSize;
        loaded.asSlice(0, bytes).fill((byte)0x5A);
        final long nanos;
        try (StepProgress step = StepProgress.start(label, count, progress))
        {
            final long start = System.nanoTime();
            for (int i = 0; i < count; i++)
            {
                codec.decompress(blocks, offsets[i], lengths[i], loaded, (long)i * pageSize, pageSize);
                step.step();
            }
            nanos = System.nanoTime() - start;
        }
        return new Decompressed(nanos, pages.asSlice(0, bytes).mismatch(loaded.asSlice(0, bytes)) == -1);
    }

    /**
     * Copies the blocks into {@code reordered} back to back, in a shuffled order.
     *
     * @return where each block lies in {@code reordered}.
     */
    private static long[] placeShuffled(final MemorySegment packed, final long[] offsets, final int[] lengths,
        final MemorySegment reordered)
    {
        final int count = offsets.length;
        final int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        final Random random = new Random(SHUFFLE_SEED);
        for (int i = count - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int swapped = order[i];
            order[i] = order[j];
            order[j] = swapped;
        }
        final long[] placed = new long[count];
        long at = 0;
        for (final int block : order)
        {
            MemorySegment.copy(packed, offsets[block], reordered, at, lengths[block]);
            placed[block] = at;
            at += lengths[block];
        }
        return placed;
    }

    /**
     * @param other another measurement of the same codec on the same pages.
     * @return the faster speeds of the two, verified only if both were.
     */
    public RawCodecRun fasterOf(final RawCodecRun other)
    {
        return new RawCodecRun(other.compressedBytes, Math.max(compressMbPerS, other.compressMbPerS),
            Math.max(decompressMbPerS, other.decompressMbPerS),
            Math.max(shuffledDecompressMbPerS, other.shuffledDecompressMbPerS), verified && other.verified);
    }

    /**
     * Brings the codec's Java paths to compiled code before they are timed, as a long-running application's would be.
     */
    private static void warmUp(final Codec codec, final MemorySegment pages, final int count, final int pageSize,
        final MemorySegment packed, final int bound, final MemorySegment loaded)
    {
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < count; i++)
            {
                final int length = codec.compress(pages, (long)i * pageSize, pageSize, packed, 0, bound);
                codec.decompress(packed, 0, length, loaded, (long)i * pageSize, pageSize);
            }
        }
    }

    /**
     * @param bytes original bytes processed.
     * @param nanos time taken.
     * @return 10^6 bytes per second.
     */
    static double mbPerS(final long bytes, final long nanos)
    {
        return nanos <= 0 ? 0.0 : bytes * 1000.0 / nanos;
    }
}
