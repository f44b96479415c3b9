package org.tmem4j.host;

/**
 * How long one side of one request slot spins before it starts lending its core (yielding between spins) while it
 * waits for the other side's move, learnt from its last waits, as HotSpot's adaptive spinning learns for a monitor.
 * <p>
 * Whether to yield depends on where the other side runs. On a core of its own it moves within a spin and a yield
 * only risks this side's core: on a busy machine the scheduler hands it to another process for microseconds or
 * more (a no-op round trip was 0.3 µs spinning, 3.5 µs yielding every 8 spin waits, at high priority on a loaded
 * 2-core machine). On this side's core it cannot move at all until this side yields, and every spin is lost (6.3 µs
 * yielding every 64). So a wait in which a yield gave this side's core away (someone else ran on it, maybe the
 * other side) halves the eager spin, down to {@link #MIN_SPINS}; any other wait that ended spinning doubles it, up
 * to {@link #MAX_SPINS} (the other side moved on a core of its own, and yields that return at once cost only their
 * system calls); a wait that outlasted the spin (the other side had nothing to do) says nothing about cores.
 * <p>
 * Used by one thread at a time (a client's slot is held by one call; a daemon slot has one thread): plain fields.
 */
final class EagerSpin
{
    /** The fewest spin waits before the first yield: one batch between yields. */
    static final int MIN_SPINS = 8;
    /** The most: some 25 µs of spin waits on x86, more than most requests take to serve. */
    static final int MAX_SPINS = 512;

    private int spins = MIN_SPINS;

    /**
     * {@return spin waits before the first yield}
     */
    int spins()
    {
        return spins;
    }

    /**
     * The turn came and this side kept its core throughout: the other side runs on a core of its own.
     */
    void cameKeepingCore()
    {
        spins = Math.min(MAX_SPINS, spins << 1);
    }

    /**
     * The turn came after a yield had given this side's core away: the other side may need it.
     */
    void cameAfterLosingCore()
    {
        spins = Math.max(MIN_SPINS, spins >>> 1);
    }
}
