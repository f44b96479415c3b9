package org.tmem4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * What one {@code tmem4j} command line printed and returned, run in process exactly as {@code main} runs it.
 *
 * @param exit the exit code.
 * @param out  standard output.
 * @param err  standard error.
 */
record CommandRun(int exit, String out, String err)
{
    /**
     * @param args the command line after {@code tmem4j}.
     * @return what it did.
     */
    static CommandRun of(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = Tmem4jCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
            .execute(args);
        return new CommandRun(exit, out.toString(), err.toString());
    }
}
