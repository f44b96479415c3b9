package org.tmem4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The eager spin starts at one batch, doubles with each turn that came while spinning eagerly up to its ceiling, and
 * halves with each turn that came only after yielding down to its floor.
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
            eager.cameEagerly();
            expected = Math.min(EagerSpin.MAX_SPINS, expected * 2);
            assertEquals(expected, eager.spins(), "after " + (i + 1) + " eager turns");
        }
        assertEquals(EagerSpin.MAX_SPINS, eager.spins());
        eager.cameAfterYielding();
        assertEquals(EagerSpin.MAX_SPINS / 2, eager.spins(), "one yielded turn halves it");
        for (int i = 0; i < 20; i++)
        {
            eager.cameAfterYielding();
        }
        assertEquals(EagerSpin.MIN_SPINS, eager.spins(), "never below one batch");
        eager.cameEagerly();
        assertEquals(2 * EagerSpin.MIN_SPINS, eager.spins());
    }
}
