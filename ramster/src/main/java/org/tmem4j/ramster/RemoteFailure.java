package org.tmem4j.ramster;

/**
 * Why a remote operation did not happen; each kind has its own counter.
 */
public enum RemoteFailure
{
    /** Redis did not answer within the command timeout. */
    TIMEOUT,
    /** No connection: Redis is down, unreachable or restarting. */
    UNAVAILABLE,
    /** Redis refused the write because it is full ({@code OOM} under {@code noeviction}). */
    FULL,
    /** Redis refused the credentials or the ACL denies a command the store needs. */
    DENIED,
    /** A value failed its checksum or was not in the store's format: counted and treated as a miss. */
    CORRUPT,
    /**
     * Fewer replicas than the endpoint requires acknowledged the write in time ({@code WAIT}): the master has it,
     * a failover might not, so it does not count as stored.
     */
    UNREPLICATED,
    /** The circuit breaker is open: the operation was not sent. */
    BYPASSED,
    /** Any other error reply. */
    ERROR;

    /**
     * {@return whether this failure means Redis is not usable right now, so the circuit breaker should open}
     */
    boolean opensBreaker()
    {
        return this == TIMEOUT || this == UNAVAILABLE;
    }

    /**
     * {@return what the failure means, for the counter's description}
     */
    String description()
    {
        return switch (this)
        {
            case TIMEOUT -> "no answer within the timeout";
            case UNAVAILABLE -> "no connection";
            case FULL -> "Redis full (OOM under noeviction)";
            case DENIED -> "credentials or ACL refused";
            case CORRUPT -> "value failed its checksum";
            case UNREPLICATED -> "too few replicas acknowledged the write in time";
            case BYPASSED -> "circuit breaker open, not sent";
            case ERROR -> "another error reply";
        };
    }

    /**
     * {@return the counter name, e.g. {@code failures_timeout}}
     */
    String counterName()
    {
        return "failures_" + name().toLowerCase(java.util.Locale.ROOT);
    }
}
