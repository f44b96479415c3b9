package org.tmem4j.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class CodecTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int CORRUPTIONS = Integer.getInteger("tmem4j.corruptions", 10_000);
    private static final int[] PAGE_SIZES = {4 << 10, 8 << 10, 16 << 10, 32 << 10, 64 << 10};
    private static final byte SENTINEL = (byte)0xA5;
    /** Bytes around every destination range that must stay untouched. */
    private static final int MARGIN = 64;

    static Stream<CodecSpec> specs()
    {
        return Stream.of(CodecSpec.lz4(), new CodecSpec("lz4", 8), CodecSpec.zstd(-5), CodecSpec.zstd(1),
            CodecSpec.zstd(3));
    }

    static Stream<Arguments> specsSizesAndKinds()
    {
        final List<Arguments> cases = new ArrayList<>();
        specs().forEach(spec ->
        {
            for (final int size : PAGE_SIZES)
            {
                for (final TestPages kind : TestPages.values())
                {
                    cases.add(Arguments.of(spec, size, kind));
                }
            }
        });
        return cases.stream();
    }

    private static String seed()
    {
        return "seed " + SEED + " (rerun with -Dtmem4j.seed=" + SEED + ")";
    }

    private static void assertUntouched(final MemorySegment segment, final long from, final long to,
        final String context)
    {
        for (long i = from; i < to; i++)
        {
            if (segment.get(ValueLayout.JAVA_BYTE, i) != SENTINEL)
            {
                fail(context + ": byte " + i + " outside the destination range was written; " + seed());
            }
        }
    }

    /**
     * Pages of every kind and size survive compress and decompress byte for byte, at unaligned offsets, with no
     * byte written outside either destination range.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("specsSizesAndKinds")
    void roundTripsEveryKindAndSize(final CodecSpec spec, final int size, final TestPages kind)
    {
        final SplittableRandom random = new SplittableRandom(SEED ^ size ^ kind.ordinal());
        try (Arena arena = Arena.ofConfined(); Codec codec = spec.newCodec())
        {
            final int bound = codec.maxCompressedLength(size);
            final MemorySegment page = arena.allocate(size + 3L);
            final MemorySegment compressed = arena.allocate(bound + 2L * MARGIN + 5);
            final MemorySegment restored = arena.allocate(size + 2L * MARGIN);
            for (int round = 0; round < 3; round++)
            {
                kind.write(page, 3, size, random);
                compressed.fill(SENTINEL);
                restored.fill(SENTINEL);

                final int length = codec.compress(page, 3, size, compressed, MARGIN + 5, bound);
                assertTrue(length > 0 && length <= bound, "compressed length " + length + " of " + bound);
                // the codec may use its whole capacity as work space, but nothing past it
                assertUntouched(compressed, MARGIN + 5 + bound, compressed.byteSize(), spec + " compress");
                assertUntouched(compressed, 0, MARGIN + 5, spec + " compress");
                if (kind == TestPages.ZERO || kind == TestPages.SAME_FILLED)
                {
                    assertTrue(length < size / 16, spec + " left a same-filled page at " + length + " bytes");
                }

                assertEquals(size, codec.decompress(compressed, MARGIN + 5, length, restored, MARGIN, size));
                assertEquals(-1, MemorySegment.mismatch(page, 3, 3 + size, restored, MARGIN, MARGIN + size),
                    spec + " " + kind + " " + size + ": restored page differs; " + seed());
                assertUntouched(restored, 0, MARGIN, spec + " decompress");
                assertUntouched(restored, MARGIN + size, restored.byteSize(), spec + " decompress");
            }
        }
    }

    /**
     * A destination below the worst case is answered with DOES_NOT_FIT exactly when the block is longer than it,
     * writes nothing then, and holds the same block as an unbounded compress otherwise.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void answersDoesNotFitExactlyWhenTheBlockIsLonger(final CodecSpec spec)
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        try (Arena arena = Arena.ofConfined(); Codec codec = spec.newCodec())
        {
            final int size = 4096;
            final MemorySegment page = arena.allocate(size);
            final MemorySegment full = arena.allocate(codec.maxCompressedLength(size));
            final MemorySegment bounded = arena.allocate(size + 2L * MARGIN);

            TestPages.RANDOM.write(page, 0, size, random);
            bounded.fill(SENTINEL);
            assertEquals(Codec.DOES_NOT_FIT, codec.compress(page, 0, size, bounded, MARGIN, size));
            assertUntouched(bounded, 0, bounded.byteSize(), spec + " incompressible");

            for (final TestPages kind : new TestPages[] {TestPages.COMPRESSIBLE, TestPages.MOSTLY_ZERO})
            {
                kind.write(page, 0, size, random);
                final int length = codec.compress(page, 0, size, full, 0, (int)full.byteSize());

                bounded.fill(SENTINEL);
                assertEquals(Codec.DOES_NOT_FIT, codec.compress(page, 0, size, bounded, MARGIN, length - 1));
                assertUntouched(bounded, 0, bounded.byteSize(), spec + " capacity one short");

                assertEquals(length, codec.compress(page, 0, size, bounded, MARGIN, length));
                assertEquals(-1, MemorySegment.mismatch(full, 0, length, bounded, MARGIN, MARGIN + length));
                assertUntouched(bounded, 0, MARGIN, spec + " exact capacity");
                assertUntouched(bounded, MARGIN + length, bounded.byteSize(), spec + " exact capacity");
            }
        }
    }

    /**
     * About 10^4 damaged blocks per codec (bytes flipped, truncated, extended, pure garbage, the wrong expected
     * length): each either fails with CorruptDataException or decodes to exactly the expected length, never
     * anything else. The block ends flush against a guard page and the destination fills the space between two
     * guard pages, so a single byte read past the block or written outside the destination would kill the JVM.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void rejectsCorruptBlocksWithoutTouchingMemoryOutsideTheRanges(final CodecSpec spec)
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final int size = 4096;
        try (Arena arena = Arena.ofConfined(); Codec codec = spec.newCodec();
            GuardedMemory block = new GuardedMemory(2 * size);
            GuardedMemory exact = new GuardedMemory(size);
            GuardedMemory larger = new GuardedMemory(2 * size))
        {
            // a few dozen valid blocks of every kind, each damaged many ways
            final int sources = 40;
            final int stride = codec.maxCompressedLength(size);
            final MemorySegment page = arena.allocate(size);
            final MemorySegment blocks = arena.allocate((long)sources * stride);
            final int[] lengths = new int[sources];
            for (int i = 0; i < sources; i++)
            {
                final TestPages kind = i % 2 == 0 ? TestPages.COMPRESSIBLE :
                    TestPages.values()[random.nextInt(TestPages.values().length)];
                kind.write(page, 0, size, random);
                lengths[i] = codec.compress(page, 0, size, blocks, (long)i * stride, stride);
            }
            int rejected = 0;
            for (int i = 0; i < CORRUPTIONS; i++)
            {
                final int source = random.nextInt(sources);
                final MemorySegment compressed = blocks.asSlice((long)source * stride, stride);
                final int length = lengths[source];

                final int damagedLength;
                final int mutation = random.nextInt(5);
                switch (mutation)
                {
                    case 0 -> damagedLength = length;
                    case 1 -> damagedLength = 1 + random.nextInt(length);
                    case 2 -> damagedLength = Math.min(length + 1 + random.nextInt(64), 2 * size);
                    case 3 -> damagedLength = 1 + random.nextInt(2 * size);
                    default -> damagedLength = length;
                }
                final long at = block.flushEnd(damagedLength);
                final MemorySegment src = block.usable();
                if (mutation == 3)
                {
                    for (int b = 0; b < damagedLength; b++)
                    {
                        src.set(ValueLayout.JAVA_BYTE, at + b, (byte)random.nextInt());
                    }
                }
                else
                {
                    MemorySegment.copy(compressed, 0, src, at, Math.min(length, damagedLength));
                    for (int b = length; b < damagedLength; b++)
                    {
                        src.set(ValueLayout.JAVA_BYTE, at + b, (byte)random.nextInt());
                    }
                    if (mutation == 0)
                    {
                        final int flips = 1 + random.nextInt(4);
                        for (int f = 0; f < flips; f++)
                        {
                            final long b = at + random.nextInt(damagedLength);
                            src.set(ValueLayout.JAVA_BYTE, b, (byte)(src.get(ValueLayout.JAVA_BYTE, b) ^
                                (1 + random.nextInt(255))));
                        }
                    }
                }
                final int expected = mutation == 4 ? (random.nextBoolean() ? size - 1 - random.nextInt(size - 1) :
                    size + 1 + random.nextInt(size - 1)) : size;
                final MemorySegment dst = expected == size ? exact.usable() : larger.usable();
                final long dstAt = expected == size ? 0 : (random.nextBoolean() ? 0 : larger.flushEnd(expected));
                try
                {
                    final int restored = codec.decompress(src, at, damagedLength, dst, dstAt, expected);
                    assertEquals(expected, restored, spec + ": mutation " + mutation + " returned a wrong length");
                    if (mutation == 4)
                    {
                        fail(spec + ": a block of " + size + " bytes decoded as " + expected + " bytes; " + seed());
                    }
                }
                catch (final CorruptDataException ex)
                {
                    assertTrue(ex.getMessage().startsWith(spec.name() + ":"), ex.getMessage());
                    rejected++;
                }
            }
            // flipped literals decode to other bytes of the right length, which only a checksum catches; everything
            // else is structural and must mostly be rejected
            assertTrue(rejected > CORRUPTIONS / 2, spec + ": only " + rejected + " of " + CORRUPTIONS +
                " corruptions were rejected; " + seed());
        }
    }

    /** A wrong expected length is corruption for any valid block, whatever its content. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void rejectsEveryWrongExpectedLength(final CodecSpec spec)
    {
        try (Arena arena = Arena.ofConfined(); Codec codec = spec.newCodec())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment compressed = arena.allocate(codec.maxCompressedLength(4096));
            final MemorySegment restored = arena.allocate(8192);
            TestPages.COMPRESSIBLE.write(page, 0, 4096, new SplittableRandom(SEED));
            final int length = codec.compress(page, 0, 4096, compressed, 0, (int)compressed.byteSize());
            for (final int wrong : new int[] {1, 4095, 4097, 8192})
            {
                final CorruptDataException ex = assertThrows(CorruptDataException.class,
                    () -> codec.decompress(compressed, 0, length, restored, 0, wrong));
                assertTrue(ex.getMessage().contains(Integer.toString(wrong)), ex.getMessage());
            }
            assertThrows(CorruptDataException.class, () -> codec.decompress(compressed, 0, 0, restored, 0, 4096));
        }
    }

    /** Blocks decode with any codec of the same name, whatever level either was built with. */
    @Test
    void decodesAcrossLevelsOfOneCodec()
    {
        try (Arena arena = Arena.ofConfined(); Codec fast = CodecSpec.zstd(-5).newCodec();
            Codec strong = CodecSpec.zstd(19).newCodec(); Codec lz4 = CodecSpec.lz4().newCodec();
            Codec lz4Accelerated = new CodecSpec("lz4", 64).newCodec())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment compressed = arena.allocate(8192);
            final MemorySegment restored = arena.allocate(4096);
            TestPages.COMPRESSIBLE.write(page, 0, 4096, new SplittableRandom(SEED));
            for (final Codec[] pair : new Codec[][] {{fast, strong}, {strong, fast}, {lz4, lz4Accelerated},
                {lz4Accelerated, lz4}})
            {
                final int length = pair[0].compress(page, 0, 4096, compressed, 0, 8192);
                assertEquals(4096, pair[1].decompress(compressed, 0, length, restored, 0, 4096));
                assertEquals(-1, page.mismatch(restored));
            }
        }
    }

    /**
     * A zstd block is the library's default frame less its 4-byte magic number and the content size, which a
     * 4 KiB page writes in 2 bytes and which costs 1 byte of window descriptor to leave out; same pages, same level.
     */
    @Test
    void zstdBlocksCarryTwoBytesOfFrameHeader()
    {
        try (Arena arena = Arena.ofConfined(); Codec codec = CodecSpec.zstd(3).newCodec();
            ZstdCompressCtx library = new ZstdCompressCtx())
        {
            library.setLevel(3).setChecksum(false).setDictID(false);
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment compressed = arena.allocate(8192);
            final SplittableRandom random = new SplittableRandom(SEED);
            for (final TestPages kind : TestPages.values())
            {
                kind.write(page, 0, 4096, random);
                final byte[] bytes = page.toArray(ValueLayout.JAVA_BYTE);
                final int framed = library.compress(bytes).length;
                assertEquals(framed - 5, codec.compress(page, 0, 4096, compressed, 0, 8192), kind + ", " + seed());
            }
        }
    }

    @Test
    void zstdWorstCaseMatchesTheLibrary()
    {
        try (Codec codec = CodecSpec.zstd(3).newCodec())
        {
            for (final int length : new int[] {1, 100, 4095, 4096, 65536, (128 << 10) - 1, 128 << 10, 1 << 20})
            {
                assertEquals(Zstd.compressBound(length), codec.maxCompressedLength(length), "length " + length);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void rejectsBadArgumentsClearly(final CodecSpec spec)
    {
        try (Arena arena = Arena.ofConfined(); Codec codec = spec.newCodec())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment out = arena.allocate(8192);
            final MemorySegment heap = MemorySegment.ofArray(new byte[8192]);
            TestPages.COMPRESSIBLE.write(page, 0, 4096, new SplittableRandom(SEED));
            final int length = codec.compress(page, 0, 4096, out, 0, 8192);

            assertMessage("native", () -> codec.compress(heap, 0, 4096, out, 0, 8192));
            assertMessage("native", () -> codec.compress(page, 0, 4096, heap, 0, 8192));
            assertMessage("read-only", () -> codec.compress(page, 0, 4096, out.asReadOnly(), 0, 8192));
            assertMessage("outside", () -> codec.compress(page, 1, 4096, out, 0, 8192));
            assertMessage("outside", () -> codec.compress(page, -1, 100, out, 0, 8192));
            assertMessage("outside", () -> codec.compress(page, 0, -1, out, 0, 8192));
            assertMessage("outside", () -> codec.compress(page, 0, 4096, out, 1, 8192));
            assertMessage("nothing to compress", () -> codec.compress(page, 0, 0, out, 0, 8192));
            assertMessage("read-only", () -> codec.decompress(out, 0, length, page.asReadOnly(), 0, 4096));
            assertMessage("outside", () -> codec.decompress(out, 8000, length, page, 0, 4096));
            assertMessage("outside", () -> codec.decompress(out, 0, length, page, 1, 4096));
            assertMessage("nothing to decompress", () -> codec.decompress(out, 0, length, page, 0, 0));

            final Arena closed = Arena.ofConfined();
            final MemorySegment gone = closed.allocate(4096);
            closed.close();
            assertThrows(IllegalStateException.class, () -> codec.compress(gone, 0, 4096, out, 0, 8192));
            assertThrows(IllegalStateException.class, () -> codec.decompress(out, 0, length, gone, 0, 4096));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void refusesUseAfterClose(final CodecSpec spec)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment out = arena.allocate(8192);
            final Codec codec = spec.newCodec();
            assertEquals(spec.name(), codec.name());
            final int length = codec.compress(page, 0, 4096, out, 0, 8192);
            codec.close();
            codec.close();
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> codec.compress(page, 0, 4096, out, 0, 8192));
            assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
            assertThrows(IllegalStateException.class, () -> codec.decompress(out, 0, length, page, 0, 4096));
        }
    }

    private static void assertMessage(final String expected, final org.junit.jupiter.api.function.Executable call)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, call);
        assertTrue(ex.getMessage().contains(expected), "message \"" + ex.getMessage() + "\" lacks " + expected);
    }
}
