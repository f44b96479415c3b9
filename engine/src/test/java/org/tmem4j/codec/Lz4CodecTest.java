package org.tmem4j.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LZ4 by direct downcalls against LZ4 through lz4-java's JNI (the fallback where the downcalls cannot be linked):
 * the same library, so the same blocks, and each decodes the other's. {@link CodecTest} covers the codec's contract.
 */
class Lz4CodecTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int PAGES = 200;

    /** On Linux the C symbols of liblz4-java are exported: the downcall codec is the one in use. */
    @Test
    void linksTheLibraryDirectlyOnLinux()
    {
        if (System.getProperty("os.name").startsWith("Linux"))
        {
            assertTrue(Lz4Native.isAvailable(), "LZ4_* symbols of liblz4-java could not be linked");
            try (Codec codec = CodecSpec.lz4().newCodec())
            {
                assertInstanceOf(Lz4Codec.class, codec);
            }
        }
    }

    @Test
    void makesTheSameBlocksAsTheJniPathAndEachDecodesTheOther()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        for (final int acceleration : new int[] {1, 8})
        {
            try (Arena arena = Arena.ofConfined(); Codec direct = Lz4Codec.create(acceleration);
                Codec jni = new Lz4ByteBufferCodec(acceleration))
            {
                final int size = 4096;
                final int bound = direct.maxCompressedLength(size);
                assertEquals(jni.maxCompressedLength(size), bound);
                final MemorySegment page = arena.allocate(size);
                final MemorySegment a = arena.allocate(bound);
                final MemorySegment b = arena.allocate(bound);
                final MemorySegment restored = arena.allocate(size);
                for (int i = 0; i < PAGES; i++)
                {
                    final TestPages kind = TestPages.values()[random.nextInt(TestPages.values().length)];
                    kind.write(page, 0, size, random);
                    final int length = direct.compress(page, 0, size, a, 0, bound);
                    assertEquals(length, jni.compress(page, 0, size, b, 0, bound), kind + ", seed " + SEED);
                    assertEquals(-1, a.asSlice(0, length).mismatch(b.asSlice(0, length)), kind + ", seed " + SEED);
                    restored.fill((byte)0);
                    jni.decompress(a, 0, length, restored, 0, size);
                    assertEquals(-1, page.mismatch(restored), kind + ", seed " + SEED);
                    restored.fill((byte)0);
                    direct.decompress(b, 0, length, restored, 0, size);
                    assertEquals(-1, page.mismatch(restored), kind + ", seed " + SEED);
                    // one byte short of the block: both answer DOES_NOT_FIT
                    assertEquals(Codec.DOES_NOT_FIT, direct.compress(page, 0, size, a, 0, length - 1));
                    assertEquals(Codec.DOES_NOT_FIT, jni.compress(page, 0, size, b, 0, length - 1));
                }
            }
        }
    }
}
