package org.tmem4j.codec;


/**
 * What codec to build: a name and a level, as written in configuration ({@code "lz4"}, {@code "zstd:3"}).
 * <ul>
 *   <li>{@code lz4}: the level is LZ4's <i>acceleration</i>, {@value #LZ4_MIN_ACCELERATION} (the default, best
 *       ratio) to {@value #LZ4_MAX_ACCELERATION}; higher is faster and compresses less.</li>
 *   <li>{@code zstd}: the zstd level, {@value #ZSTD_MIN_LEVEL} to {@value #ZSTD_MAX_LEVEL}; negative levels are
 *       zstd's fast levels. Level 0 means zstd's default, {@value #ZSTD_DEFAULT_LEVEL}, and is normalized to it.</li>
 * </ul>
 *
 * @param name  {@code "lz4"} or {@code "zstd"}.
 * @param level the level, in the range its codec allows.
 */
public record CodecSpec(String name, int level)
{
    /** Name of the LZ4 codec. */
    public static final String LZ4 = "lz4";
    /** Name of the zstd codec. */
    public static final String ZSTD = "zstd";
    /** LZ4's default acceleration. */
    public static final int LZ4_MIN_ACCELERATION = 1;
    /** LZ4's largest acceleration ({@code LZ4_ACCELERATION_MAX}). */
    public static final int LZ4_MAX_ACCELERATION = 65537;
    /** zstd's fastest level ({@code ZSTD_minCLevel()}). */
    public static final int ZSTD_MIN_LEVEL = -131072;
    /** zstd's strongest level ({@code ZSTD_maxCLevel()}). */
    public static final int ZSTD_MAX_LEVEL = 22;
    /** zstd's default level ({@code ZSTD_CLEVEL_DEFAULT}). */
    public static final int ZSTD_DEFAULT_LEVEL = 3;

    private static final String ALLOWED = "allowed: \"lz4\", \"lz4:<acceleration " + LZ4_MIN_ACCELERATION + ".." +
        LZ4_MAX_ACCELERATION + ">\", \"zstd\", \"zstd:<level " + ZSTD_MIN_LEVEL + ".." + ZSTD_MAX_LEVEL + ">\"";

    /**
     * Creates a spec; the canonical constructor, which checks the name and the level.
     *
     * @throws IllegalArgumentException if the name is unknown or the level is outside its codec's range.
     */
    public CodecSpec
    {
        if (name == null)
        {
            throw new IllegalArgumentException("codec name is null; " + ALLOWED);
        }
        switch (name)
        {
            case LZ4 ->
            {
                if (level < LZ4_MIN_ACCELERATION || level > LZ4_MAX_ACCELERATION)
                {
                    throw new IllegalArgumentException("lz4 acceleration " + level + " is out of range; " + ALLOWED);
                }
            }
            case ZSTD ->
            {
                if (level < ZSTD_MIN_LEVEL || level > ZSTD_MAX_LEVEL)
                {
                    throw new IllegalArgumentException("zstd level " + level + " is out of range; " + ALLOWED);
                }
                if (level == 0)
                {
                    level = ZSTD_DEFAULT_LEVEL;
                }
            }
            default -> throw new IllegalArgumentException("unknown codec \"" + name + "\"; " + ALLOWED);
        }
    }

    /**
     * {@return LZ4 with its default acceleration: the fast codec}
     */
    public static CodecSpec lz4()
    {
        return new CodecSpec(LZ4, LZ4_MIN_ACCELERATION);
    }

    /**
     * {@return zstd at that level}
     *
     * @param level a zstd level, {@value #ZSTD_MIN_LEVEL} to {@value #ZSTD_MAX_LEVEL}.
     */
    public static CodecSpec zstd(final int level)
    {
        return new CodecSpec(ZSTD, level);
    }

    /**
     * Reads a spec as written in configuration: {@code "lz4"}, {@code "lz4:8"}, {@code "zstd"} (level 3),
     * {@code "zstd:1"}, {@code "zstd:-5"}. Surrounding white space and the name's case are ignored.
     *
     * @param text the spec.
     * @return the spec.
     * @throws IllegalArgumentException naming what is allowed, if the text is not a valid spec.
     */
    public static CodecSpec parse(final String text)
    {
        if (text == null)
        {
            throw new IllegalArgumentException("codec spec is null; " + ALLOWED);
        }
        final String trimmed = text.strip();
        final int colon = trimmed.indexOf(':');
        final String name = (colon < 0 ? trimmed : trimmed.substring(0, colon)).strip().toLowerCase(java.util.Locale.ROOT);
        if (colon < 0)
        {
            return switch (name)
            {
                case LZ4 -> lz4();
                case ZSTD -> zstd(ZSTD_DEFAULT_LEVEL);
                default -> throw new IllegalArgumentException("unknown codec spec \"" + text + "\"; " + ALLOWED);
            };
        }
        final String levelText = trimmed.substring(colon + 1).strip();
        final int level;
        try
        {
            level = Integer.parseInt(levelText);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(
                "codec spec \"" + text + "\" has no whole-number level after ':'; " + ALLOWED, ex);
        }
        if (!LZ4.equals(name) && !ZSTD.equals(name))
        {
            throw new IllegalArgumentException("unknown codec spec \"" + text + "\"; " + ALLOWED);
        }
        return new CodecSpec(name, level);
    }

    /**
     * {@return a new codec with its own native state; the caller closes it}
     */
    public Codec newCodec()
    {
        return LZ4.equals(name) ? Lz4Codec.create(level) : new ZstdCodec(level);
    }

    /**
     * @return the spec as {@link #parse} reads it, e.g. {@code "zstd:-5"}.
     */
    @Override
    public String toString()
    {
        return name + ":" + level;
    }
}
