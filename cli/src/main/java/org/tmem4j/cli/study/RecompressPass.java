package org.tmem4j.cli.study;

import org.tmem4j.codec.CodecSpec;

/**
 * The study's recompression pass after the fill ({@code --recompress}, {@code --recompress-coldest}).
 *
 * @param codec           the codec pages are compressed again with: zstd, with or without {@code +dict}.
 * @param coldestFraction 0 for every page, else the share of each pool's pages, coldest first by put order, the pass
 *                        looks at (the engine's {@code recompress.coldestFraction}).
 */
public record RecompressPass(CodecSpec codec, double coldestFraction)
{
    /**
     * @throws IllegalArgumentException if the codec is missing or the fraction is not 0 nor in (0, 1].
     */
    public RecompressPass
    {
        if (codec == null)
        {
            throw new IllegalArgumentException("codec must not be null");
        }
        if (!(coldestFraction >= 0 && coldestFraction <= 1))
        {
            throw new IllegalArgumentException("--recompress-coldest takes a fraction more than 0 and at most 1, "
                + "e.g. 0.25, not " + coldestFraction);
        }
    }
}
