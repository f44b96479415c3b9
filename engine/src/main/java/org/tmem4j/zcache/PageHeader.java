package org.tmem4j.zcache;

/**
 * The byte that starts every stored page of an engine whose pages can be compressed in more than one way (a
 * dictionary per pool, or recompression with another codec): which codec and dictionary made it and, for the
 * recompression agent, when it was put and whether the agent has already been through it. Engines with one codec
 * store no header.
 * <pre>
 *   7         6 ...... 5   4 ........................................................... 0
 *   [checked ][ epoch    ][ codec: 0 = the engine's codec, 1 = the recompression codec,
 *                                  2..31 = dictionary id                               ]
 * </pre>
 * The epoch is the put time in units of the agent's idle time, modulo 4: a page whose epoch is 2 or 3 behind the
 * current one has been idle at least that long. "Checked" marks a page the agent recompressed, or found not worth
 * it. A dictionary-compressed page is a magicless zstd frame, 4 bytes shorter than a framed one: the header costs
 * nothing on those pages.
 */
final class PageHeader
{
    /** Bytes the header takes. */
    static final int BYTES = 1;
    /** The engine's own codec, without dictionary. */
    static final int BASE = 0;
    /** The recompression agent's codec, without dictionary. */
    static final int STRONG = 1;
    /** The first dictionary id. */
    static final int FIRST_DICTIONARY = 2;
    /** Dictionary ids run up to this one, inclusive. */
    static final int LAST_DICTIONARY = 31;

    private static final int CODEC_MASK = 0x1F;
    private static final int EPOCH_SHIFT = 5;
    private static final int EPOCH_MASK = 3;
    private static final int CHECKED = 0x80;

    private PageHeader()
    {
    }

    /**
     * @param header the stored byte.
     * @return its codec: {@link #BASE}, {@link #STRONG} or a dictionary id.
     */
    static int codec(final byte header)
    {
        return header & CODEC_MASK;
    }

    /**
     * @param codec {@link #BASE}, {@link #STRONG} or a dictionary id.
     * @param epoch the put epoch, 0 to 3.
     * @return the header byte of a page not yet checked.
     */
    static byte of(final int codec, final int epoch)
    {
        return (byte)(codec | epoch << EPOCH_SHIFT);
    }

    /**
     * @param header the stored byte.
     * @return the same header with another codec, marked checked.
     */
    static byte recompressed(final byte header, final int codec)
    {
        return (byte)((header & ~CODEC_MASK) | codec | CHECKED);
    }

    /**
     * @param header the stored byte.
     * @param codec  another codec.
     * @return the same header (epoch, checked mark) with that codec.
     */
    static byte withCodec(final byte header, final int codec)
    {
        return (byte)((header & ~CODEC_MASK) | codec);
    }

    /**
     * @param header the stored byte.
     * @return the same header, marked checked.
     */
    static byte checked(final byte header)
    {
        return (byte)(header | CHECKED);
    }

    /**
     * @param header the stored byte.
     * @return whether the agent has been through the page.
     */
    static boolean isChecked(final byte header)
    {
        return (header & CHECKED) != 0;
    }

    /**
     * @param header the stored byte.
     * @param epoch  the current epoch.
     * @return whether the page was put two or three epochs ago: idle at least one epoch.
     */
    static boolean isIdle(final byte header, final int epoch)
    {
        return ((epoch - (header >> EPOCH_SHIFT & EPOCH_MASK)) & EPOCH_MASK) >= 2;
    }

    /**
     * @param nanos  nanoseconds since the engine's origin.
     * @param period the epoch's length in nanoseconds, &gt; 0.
     * @return the epoch of that time.
     */
    static int epoch(final long nanos, final long period)
    {
        return (int)(nanos / period) & EPOCH_MASK;
    }
}
