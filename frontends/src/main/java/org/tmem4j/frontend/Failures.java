package org.tmem4j.frontend;

import java.util.function.Consumer;

/**
 * The failures of a tear-down that must reach every item even when some fail (unbinding every pool, writing back
 * every page): the first is thrown at the end, the others ride along as suppressed.
 */
public final class Failures
{
    private RuntimeException first;

    /**
     * Creates a record with no failure yet.
     */
    public Failures()
    {
    }

    /**
     * Runs an action on every item, then throws the first failure, if any.
     *
     * @param items  the items.
     * @param action what to do with each.
     * @param <T>    the item type.
     */
    public static <T> void forEach(final Iterable<T> items, final Consumer<? super T> action)
    {
        final Failures failures = new Failures();
        for (final T item : items)
        {
            failures.run(() -> action.accept(item));
        }
        failures.rethrow();
    }

    /**
     * Runs one step of the tear-down.
     *
     * @param step a step; its failure is recorded, not thrown.
     */
    public void run(final Runnable step)
    {
        try
        {
            step.run();
        }
        catch (final RuntimeException ex)
        {
            if (first == null)
            {
                first = ex;
            }
            else
            {
                first.addSuppressed(ex);
            }
        }
    }

    /**
     * Throws the first failure recorded, if any.
     */
    public void rethrow()
    {
        if (first != null)
        {
            throw first;
        }
    }
}
