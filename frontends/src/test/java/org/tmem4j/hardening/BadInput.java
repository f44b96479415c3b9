package org.tmem4j.hardening;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One row of the bad-input table: a misuse, the exception type it must raise, and the words its message must
 * contain (regular expressions, case-insensitive) so that the message names the problem, not just that there is
 * one. Every message is printed, so the report shows what a user would read.
 *
 * @param what      the misuse, in words.
 * @param action    performs it.
 * @param types     the exceptions it may raise (or subclasses): one, except where the SPI leaves the type open.
 * @param names     what the message must name, each a case-insensitive regular expression.
 */
record BadInput(String what, Executable action, List<Class<? extends Throwable>> types, List<String> names)
{
    /**
     * @return a row.
     */
    static BadInput row(final String what, final Class<? extends Throwable> type, final Executable action,
        final String... names)
    {
        return new BadInput(what, action, List.of(type), List.of(names));
    }

    /**
     * @return a row whose misuse may raise either of two exception types (where the contract leaves it open).
     */
    static BadInput row(final String what, final Class<? extends Throwable> type,
        final Class<? extends Throwable> orType, final Executable action, final String... names)
    {
        return new BadInput(what, action, List.of(type, orType), List.of(names));
    }

    /**
     * Runs the row now.
     *
     * @return the message it got.
     */
    String check()
    {
        final Throwable thrown;
        try
        {
            action.execute();
            fail(what + ": no exception; expected " + expected());
            return null;
        }
        catch (final Throwable t)
        {
            thrown = t;
        }
        if (types.stream().noneMatch(type -> type.isInstance(thrown)))
        {
            final AssertionError error = new AssertionError(what + ": expected " + expected() + " but got "
                + thrown.getClass().getName() + ": " + thrown.getMessage());
            error.initCause(thrown);
            throw error;
        }
        final String message = thrown.getMessage();
        assertNotNull(message, what + ": " + thrown.getClass().getSimpleName() + " has no message");
        for (final String name : names)
        {
            assertTrue(Pattern.compile(name, Pattern.CASE_INSENSITIVE).matcher(message).find(),
                what + ": the message does not name '" + name + "': " + message);
        }
        System.out.println("BAD INPUT " + what + " -> " + thrown.getClass().getSimpleName() + ": " + message);
        return message;
    }

    private String expected()
    {
        return String.join(" or ", types.stream().map(Class::getSimpleName).toList());
    }

    /**
     * @param table     the table's name.
     * @param rows      rows, run in order.
     * @param bystander checks, after every row, that the misuse damaged nothing else (e.g. a page stored before
     *                  still reads back exact).
     * @return a dynamic test per row.
     */
    static List<DynamicTest> tests(final String table, final List<BadInput> rows, final Executable bystander)
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final BadInput row : rows)
        {
            tests.add(DynamicTest.dynamicTest(table + ": " + row.what(), () ->
            {
                row.check();
                bystander.execute();
            }));
        }
        return tests;
    }
}
