package org.tmem4j.frontend.balloon;

import org.tmem4j.zcache.Zcache;

/**
 * What a {@link Selfballoon} moves: a budget of compressed-page memory, and how much of this JVM's memory it holds
 * now. A zcache's budget is one; a JVM's share at the host daemon (whose pages live in the daemon, not here) is
 * another.
 */
public interface BalloonedBudget
{
    /**
     * {@return the budget now, in bytes}
     */
    long budgetBytes();

    /**
     * Moves the budget.
     *
     * @param bytes the new budget, at least a page.
     */
    void budgetBytes(long bytes);

    /**
     * {@return the memory of this JVM the budget's pages hold now (the cgroup counts it as the JVM's)}
     */
    long reservedBytes();

    /**
     * {@return a zcache's budget, whose pages are in this JVM's memory}
     *
     * @param zcache the engine.
     */
    static BalloonedBudget of(final Zcache zcache)
    {
        return new BalloonedBudget()
        {
            @Override
            public long budgetBytes()
            {
                return zcache.budgetBytes();
            }

            @Override
            public void budgetBytes(final long bytes)
            {
                zcache.budgetBytes(bytes);
            }

            @Override
            public long reservedBytes()
            {
                return zcache.stats().memory().reservedBytes();
            }
        };
    }
}
