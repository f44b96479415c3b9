package org.tmem4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The eager spin starts at one batch, doubles with each turn that came while this side kept its core up to its
 * ceiling, and halves with each turn that came after a yield gave the core away down to its floor.
 */
class EagerSpinTest
{
    @Test
    void doublesOnEagerTurnsAndHalvesOnYieldedOnes()
    {
        final EagerSpin eager = new EagerSpin();
        assertEquals(EagerSpin.MIN_SPINS, eager.spins(), "a new slot side yields after one batch");
        int expected = EagerSpin.MIN_SPINS;
        for (int i = 0; i < 20; i++)
        {
            eager.cameKeepingCore();
            expected = Math.min(EagerSpin.MAX_SPINS, expected * 2);
            assertEquals(expected, eager.spins(), "after " + (i + 1) + " turns on a core of its own");
        }
        assertEquals(EagerSpin.MAX_SPINS, eager.spins());
        eager.cameAfterLosingCore();
        assertEquals(EagerSpin.MAX_SPINS / 2, eager.spins(), "a turn after losing the core halves it");
        for (int i = 0; i < 20; i++)
        {
            eager.cameAfterLosingCore();
        }
        assertEquals(EagerSpin.MIN_SPINS, eager.spins(), "never below one batch");
        eager.cameKeepingCore();
        assertEquals(2 * EagerSpin.MIN_SPINS, eager.spins());
    }
}
