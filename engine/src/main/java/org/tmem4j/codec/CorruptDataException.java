package org.tmem4j.codec;

/**
 * Compressed data that cannot be decoded into the expected bytes: it was damaged in memory, was made by another
 * codec, or decodes to a different length than the one recorded with it.
 */
public final class CorruptDataException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with the codec library's own error as its cause.
     *
     * @param message what was wrong, with the codec and the lengths involved.
     * @param cause   the codec library's own error, or {@code null}.
     */
    public CorruptDataException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    /**
     * Creates the exception.
     *
     * @param message what was wrong, with the codec and the lengths involved.
     */
    public CorruptDataException(final String message)
    {
        super(message);
    }
}
