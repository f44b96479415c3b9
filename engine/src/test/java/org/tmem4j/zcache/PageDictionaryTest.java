package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tmem4j.codec.ZstdDictionary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drift rule of a pool's dictionary, window by window: a sustained change asks for a new dictionary at its first
 * window, then after quiet times that double; pages that merely vary (a benchmark putting the same mixed pages again
 * and again) ask only a logarithmic number of times, where the rule without quiet times asked on every odd window.
 */
final class PageDictionaryTest
{
    private ZstdDictionary bytes;
    private PageDictionary dictionary;

    @BeforeEach
    void setUp()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment content = arena.allocate(4096);
            for (int i = 0; i < 4096; i++)
            {
                content.set(ValueLayout.JAVA_BYTE, i, (byte)(i * 31 >> 3));
            }
            bytes = ZstdDictionary.ofContent(content, 3);
        }
        dictionary = new PageDictionary(1, bytes);
    }

    @AfterEach
    void tearDown()
    {
        bytes.close();
    }

    @Test
    void aSustainedChangeDriftsAtOnceThenAfterDoublingQuietTimes()
    {
        window(100);
        final List<Integer> drifts = new ArrayList<>();
        final int windows = 200;
        for (int w = 1; w <= windows; w++)
        {
            if (window(200))
            {
                drifts.add(w);
            }
        }
        final int quiet = PageDictionary.QUIET_WINDOWS;
        final List<Integer> expected = new ArrayList<>();
        // the first drift at the first window of the change; each next one when its quiet time is over
        int at = 1;
        for (int k = 0; at <= windows; k++)
        {
            expected.add(at);
            at += quiet << k;
        }
        assertEquals(expected, drifts);
    }

    @Test
    void pagesThatMerelyVaryDriftALogarithmicNumberOfTimes()
    {
        final SplittableRandom random = new SplittableRandom(14);
        window(100);
        final int windows = 20_000;
        int drifts = 0;
        for (int w = 0; w < windows; w++)
        {
            // half the windows a third larger: without quiet times each of them asked for a dictionary
            drifts += window(random.nextBoolean() ? 134 : 100) ? 1 : 0;
        }
        final int bound = 1 + 64 - Long.numberOfLeadingZeros(windows / PageDictionary.QUIET_WINDOWS);
        assertTrue(drifts >= 1 && drifts <= bound, drifts + " drifts in " + windows + " windows (at most " + bound +
            ")");
    }

    @Test
    void windowsWithinTheBaselineNeitherDriftNorShortenTheQuietTime()
    {
        window(100);
        assertFalse(window(120), "within a quarter of the baseline");
        assertTrue(window(200));
        for (int w = 1; w < PageDictionary.QUIET_WINDOWS; w++)
        {
            assertFalse(window(w % 2 == 0 ? 200 : 100), "quiet window " + w);
        }
        assertTrue(window(200), "the quiet time is over");
    }

    /** Counts a window of pages of that compressed size; returns whether it drifted. */
    private boolean window(final int bytesPerPage)
    {
        for (int i = 1; i < PageDictionary.WINDOW; i++)
        {
            assertFalse(dictionary.compressed(bytesPerPage));
        }
        assertTrue(dictionary.compressed(bytesPerPage), "the window's last page completes it");
        return dictionary.drifted();
    }
}
