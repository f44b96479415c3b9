package org.tmem4j.tmem;

/**
 * A 192-bit object id, wide enough for a filesystem's file handle. The id of all ones ({@code -1, -1, -1}) is
 * reserved as invalid, as in Linux tmem.
 * <p>
 * The hot paths of {@link TmemPool} and the zcache backend take the three longs directly, so that no id object is
 * made per operation; this record is for code off the hot path.
 *
 * @param a the first 64 bits.
 * @param b the second 64 bits.
 * @param c the third 64 bits.
 */
public record ObjectId(long a, long b, long c)
{
    /**
     * Creates an id; the canonical constructor, which refuses the invalid id.
     *
     * @throws IllegalArgumentException if the id is the invalid all-ones id.
     */
    public ObjectId
    {
        check(a, b, c);
    }

    /**
     * {@return whether the three longs form a valid id (not all {@code -1})}
     *
     * @param a the first 64 bits.
     * @param b the second 64 bits.
     * @param c the third 64 bits.
     */
    public static boolean isValid(final long a, final long b, final long c)
    {
        return (a & b & c) != -1L;
    }

    /**
     * Checks an id given as three longs, as the hot paths pass it.
     *
     * @param a the first 64 bits.
     * @param b the second 64 bits.
     * @param c the third 64 bits.
     * @throws IllegalArgumentException if the id is the invalid all-ones id.
     */
    public static void check(final long a, final long b, final long c)
    {
        if ((a & b & c) == -1L)
        {
            throw new IllegalArgumentException(
                "invalid object id (-1, -1, -1): all ones is reserved; any other 192-bit value is allowed");
        }
    }

    @Override
    public String toString()
    {
        return String.format("%016x:%016x:%016x", a, b, c);
    }
}
