package org.tmem4j.stats;

import java.util.regex.Pattern;

/**
 * The rule for kinds, source names and counter names: {@code [A-Za-z0-9_.-]+}, which a counters-file label, a JMX
 * object name and a shell all take without quoting.
 */
final class CounterNames
{
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.\\-]+");

    private CounterNames()
    {
    }

    /**
     * @param what  what the string names, for the message.
     * @param value the string.
     * @return {@code value}.
     * @throws IllegalArgumentException if it breaks the rule.
     */
    static String requireValid(final String what, final String value)
    {
        if (value == null || !VALID.matcher(value).matches())
        {
            throw new IllegalArgumentException("invalid counter " + what + " "
                + (value == null ? "null" : "'" + value + "'")
                + ": use one or more of A-Z a-z 0-9 _ . - (no spaces, slashes or other characters)");
        }
        return value;
    }
}
