package org.tmem4j.zcache;

/**
 * The byte that starts every stored page of an engine whose pages can be compressed in more than one way (a
 * dictionary per pool, or recompression with another codec): which codec, and which dictionary, made it. Engines
 * with one codec store no header.
 * <pre>
 *   7 ........... 5   4 ................. 0
 *   [ reserved    ][ codec: 0 = the engine's codec without dictionary, 2..31 = dictionary id ]
 * </pre>
 * A dictionary-compressed page is a magicless zstd frame, 4 bytes shorter than a framed one: the header costs
 * nothing on those pages.
 */
final class PageHeader
{
    /** Bytes the header takes. */
    static final int BYTES = 1;
    /** The engine's own codec, without dictionary. */
    static final int BASE = 0;
    /** The first dictionary id. */
    static final int FIRST_DICTIONARY = 2;
    /** Dictionary ids run up to this one, inclusive. */
    static final int LAST_DICTIONARY = 31;

    private static final int CODEC_MASK = 0x1F;

    private PageHeader()
    {
    }

    /**
     * @param header the stored byte.
     * @return its codec: {@link #BASE} or a dictionary id.
     */
    static int codec(final byte header)
    {
        return header & CODEC_MASK;
    }

    /**
     * @param codec {@link #BASE} or a dictionary id.
     * @return the header byte.
     */
    static byte of(final int codec)
    {
        return (byte)codec;
    }
}
