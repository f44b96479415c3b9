package org.tmem4j.tmem;

/**
 * The one rule for the size of a pool's pages, used wherever a page size comes in (pools, compressor buffers,
 * frontends), so that all of them accept the same sizes and say the same thing about the others.
 */
public final class PageSizes
{
    /** The smallest page size. */
    public static final int MIN = 4096;
    /** The largest page size. */
    public static final int MAX = 65536;
    /** The allowed sizes in words, for error messages. */
    public static final String ALLOWED = "a power of two from " + MIN + " to " + MAX +
        " (4096, 8192, 16384, 32768 or 65536)";

    private PageSizes()
    {
    }

    /**
     * {@return whether it is a power of two from {@value #MIN} to {@value #MAX}}
     *
     * @param pageSize a page size in bytes.
     */
    public static boolean isPageSize(final int pageSize)
    {
        return pageSize >= MIN && pageSize <= MAX && Integer.bitCount(pageSize) == 1;
    }

    /**
     * {@return pageSize, when it is allowed}
     *
     * @param pageSize a page size in bytes.
     * @throws IllegalArgumentException naming the allowed sizes and the size, when it is not.
     */
    public static int checkPageSize(final int pageSize)
    {
        return checkPageSize("page size", pageSize);
    }

    /**
     * {@return pageSize, when it is allowed}
     *
     * @param name     what the caller calls the size, e.g. {@code "maxPageSize"}.
     * @param pageSize a page size in bytes.
     * @throws IllegalArgumentException naming the parameter, the allowed sizes and the size, when it is not.
     */
    public static int checkPageSize(final String name, final int pageSize)
    {
        if (!isPageSize(pageSize))
        {
            throw new IllegalArgumentException(name + " must be " + ALLOWED + ", was " + pageSize);
        }
        return pageSize;
    }
}
