package org.tmem4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Tmem4jCommandTest
{
    @Test
    void noSubcommandPrintsTheCommandsAndUnknownOnesExit2()
    {
        final CommandRun help = CommandRun.of();
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("study") && help.out().contains("stat"), help.out());
        final CommandRun unknown = CommandRun.of("frobnicate");
        assertEquals(CommandLines.USAGE, unknown.exit());
        assertEquals(1, unknown.err().lines().count(), unknown.err());
    }
}
