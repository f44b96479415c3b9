package org.tmem4j.frontend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Test pages whose whole content follows from one tag, so a reader can tell a right page from any other byte for
 * byte. Half compressible (a repeated run), half noise from the tag's own random stream.
 */
public final class Pages
{
    private Pages()
    {
    }

    public static void fill(final MemorySegment page, final long tag)
    {
        final SplittableRandom random = new SplittableRandom(tag);
        final long size = page.byteSize();
        for (long i = 0; i < size; i += 8)
        {
            final long word = i < size / 2 ? tag : random.nextLong();
            page.set(ValueLayout.JAVA_LONG_UNALIGNED, i, word);
        }
    }

    /**
     * @return whether the page is exactly the page of {@code tag}.
     */
    public static boolean matches(final MemorySegment page, final long tag)
    {
        final SplittableRandom random = new SplittableRandom(tag);
        final long size = page.byteSize();
        for (long i = 0; i < size; i += 8)
        {
            final long word = i < size / 2 ? tag : random.nextLong();
            if (page.get(ValueLayout.JAVA_LONG_UNALIGNED, i) != word)
            {
                return false;
            }
        }
        return true;
    }
}
