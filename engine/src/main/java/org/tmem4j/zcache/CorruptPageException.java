package org.tmem4j.zcache;

/**
 * A get found a stored page damaged (its checksum or its compressed form does not check out): the page was dropped,
 * counted in {@code corrupt_pages}, and no bytes were returned for it. Subsequent gets of it miss.
 */
public final class CorruptPageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which page, and what was wrong.
     * @param cause   the codec's or the checksum's finding.
     */
    public CorruptPageException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
