package org.tmem4j.cli.study;

import java.io.PrintStream;
import java.util.function.IntPredicate;

/**
 * One timed pass of an operation over pages 0 to count-1, with a progress bar when it runs longer than a second.
 *
 * @param nanos    how long the pass took.
 * @param failures how many pages the operation answered {@code false} for.
 */
record TimedLoop(long nanos, long failures)
{
    /**
     * @param task      what the pass does, for the progress bar.
     * @param count     pages.
     * @param progress  where a bar goes, or null.
     * @param operation the operation on page {@code i}; {@code false} counts as a failure.
     * @return the time taken and the failures.
     */
    static TimedLoop run(final String task, final int count, final PrintStream progress, final IntPredicate operation)
    {
        long failures = 0;
        try (StepProgress step = StepProgress.start(task, count, progress))
        {
            final long start = System.nanoTime();
            for (int i = 0; i < count; i++)
            {
                if (!operation.test(i))
                {
                    failures++;
                }
                step.step();
            }
            return new TimedLoop(System.nanoTime() - start, failures);
        }
    }
}
