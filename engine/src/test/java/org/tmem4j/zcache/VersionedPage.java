package org.tmem4j.zcache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test pages that name their key and version in their first two words and derive every other word from both, so a
 * racing test can tell a whole stored page from a torn mix of two puts or from freed memory.
 */
final class VersionedPage
{
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final int WORDS = 512;

    private VersionedPage()
    {
    }

    /**
     * Writes the 4 KiB page of a key and version.
     */
    static void fill(final MemorySegment page, final long keyId, final long version)
    {
        final long base = base(keyId, version);
        page.setAtIndex(WORD, 0, keyId);
        page.setAtIndex(WORD, 1, version);
        for (int i = 2; i < WORDS; i++)
        {
            page.setAtIndex(WORD, i, base + (i & 15));
        }
    }

    /**
     * Checks that a page is whole: its key, a version up to {@code maxVersion}, every word of that version.
     *
     * @param context what a failure adds to its message (the seed).
     * @return the page's version.
     */
    static long check(final MemorySegment page, final long keyId, final long maxVersion, final String context)
    {
        final long key = page.getAtIndex(WORD, 0);
        final long version = page.getAtIndex(WORD, 1);
        if (key != keyId || version < 1 || version > maxVersion)
        {
            fail("page of key " + key + " version " + version + " where key " + keyId + " (versions up to " +
                maxVersion + ") was expected; " + context);
        }
        final long base = base(keyId, version);
        for (int i = 2; i < WORDS; i++)
        {
            if (page.getAtIndex(WORD, i) != base + (i & 15))
            {
                fail("torn or freed page: key " + keyId + " version " + version + " differs at word " + i + "; " +
                    context);
            }
        }
        return version;
    }

    private static long base(final long keyId, final long version)
    {
        return (keyId * 0x9E3779B97F4A7C15L) ^ (version * 0xC2B2AE3D27D4EB4FL);
    }
}
