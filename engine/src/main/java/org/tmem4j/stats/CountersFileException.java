package org.tmem4j.stats;

import java.io.IOException;

/**
 * A file that cannot be read as a {@link CountersFile}: too short, not one, another version, still being made, or
 * rewritten without end.
 */
public final class CountersFileException extends IOException
{
    /**
     * Creates the exception.
     *
     * @param message what is wrong with which file.
     */
    public CountersFileException(final String message)
    {
        super(message);
    }
}
