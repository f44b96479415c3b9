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
 * The drift rule of a pool's dictionaries, window by window ({@link PageDictionary#drifted} judges a window,
 * {@link PoolDictionaries#resample} decides whether it starts a fresh sample): a sustained change starts one at its
 * first window, then after quiet times that double; a new dictionary installed after a drift does not restart the
 * quiet time; pages that merely vary (a benchmark putting the same mixed pages again and again) start only a
 * logarithmic number of samples, where the rule without quiet times started one on every odd window.
 */
final class DictionaryDriftTest
{
    private ZstdDictionary bytes;
    private PageDictionary dictionary;
    private final PoolDictionaries pool = new PoolDictionaries(null);

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
    void aSustainedChangeResamplesAtOnceThenAfterDoublingQuietTimes()
    {
        window(100);
        final List<Integer> samples = new ArrayList<>();
        final int windows = 200;
        for (int w = 1; w <= windows; w++)
        {
            if (window(200))
            {
                samples.add(w);
            }
        }
        assertEquals(schedule(windows), samples);
    }

    @Test
    void aNewDictionaryAfterEachDriftKeepsThePoolsQuietTime()
    {
        window(100);
        final List<Integer> samples = new ArrayList<>();
        final int windows = 200;
        boolean installed = false;
        for (int w = 1; w <= windows; w++)
        {
            // the candidate of a sample is installed at once, and its first window, the baseline, is a good one
            if (window(installed ? 100 : 200))
            {
                samples.add(w);
                dictionary = new PageDictionary(2, bytes);
                installed = true;
            }
            else
            {
                installed = false;
            }
        }
        assertTrue(samples.size() > 2, samples.toString());
        for (int i = 1; i < samples.size(); i++)
        {
            assertTrue(samples.get(i) - samples.get(i - 1) >= PoolDictionaries.QUIET_WINDOWS << (i - 1),
                "quiet time before sample " + i + ": " + samples);
        }
    }

    @Test
    void pagesThatMerelyVaryResampleALogarithmicNumberOfTimes()
    {
        final SplittableRandom random = new SplittableRandom(14);
        window(100);
        final int windows = 20_000;
        int samples = 0;
        for (int w = 0; w < windows; w++)
        {
            // half the windows a third larger: without quiet times each of them started a sample
            samples += window(random.nextBoolean() ? 134 : 100) ? 1 : 0;
        }
        final int bound = 1 + 64 - Long.numberOfLeadingZeros(windows / PoolDictionaries.QUIET_WINDOWS);
        assertTrue(samples >= 1 && samples <= bound, samples + " samples in " + windows + " windows (at most " +
            bound + ")");
    }

    @Test
    void windowsWithinTheBaselineNeitherDriftNorShortenTheQuietTime()
    {
        window(100);
        assertFalse(window(120), "within a quarter of the baseline");
        assertTrue(window(200));
        for (int w = 1; w < PoolDictionaries.QUIET_WINDOWS; w++)
        {
            assertFalse(window(w % 2 == 0 ? 200 : 100), "quiet window " + w);
        }
        assertTrue(window(200), "the quiet time is over");
    }

    /** Windows (counted from 1 after the baseline) at which a change from the first on starts samples. */
    private static List<Integer> schedule(final int windows)
    {
        final List<Integer> expected = new ArrayList<>();
        int at = 1;
        for (int k = 0; at <= windows; k++)
        {
            expected.add(at);
            at += PoolDictionaries.QUIET_WINDOWS << k;
        }
        return expected;
    }

    /** Counts a window of pages of that compressed size; returns whether it started a fresh sample. */
    private boolean window(final int bytesPerPage)
    {
        for (int i = 1; i < PageDictionary.WINDOW; i++)
        {
            assertFalse(dictionary.compressed(bytesPerPage));
        }
        assertTrue(dictionary.compressed(bytesPerPage), "the window's last page completes it");
        return pool.resample(dictionary.drifted());
    }
}
