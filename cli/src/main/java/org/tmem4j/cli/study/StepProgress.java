package org.tmem4j.cli.study;

import java.io.PrintStream;
import java.time.Duration;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one step of the study (storing, loading, compressing ... N pages), shown as a console progress bar
 * only once the step has run for more than a second: short steps print nothing, long ones show how far they are.
 * <p>
 * {@link #step()} is called once per page inside measured loops, so it costs an increment and, every
 * {@value #CHECK_EVERY} pages, one clock read; the bar renders on its own thread.
 */
public final class StepProgress implements AutoCloseable
{
    /** A step that has run this long gets a bar. */
    static final long SHOW_AFTER_NANOS = 1_000_000_000L;

    private static final int CHECK_EVERY = 256;

    private final String task;
    private final long total;
    private final PrintStream sink;
    private final long startNanos;
    private long done;
    private ProgressBar bar;

    private StepProgress(final String task, final long total, final PrintStream sink)
    {
        this.task = task;
        this.total = total;
        this.sink = sink;
        this.startNanos = System.nanoTime();
    }

    /**
     * @param task  what the step does, shown before the bar.
     * @param total how many units (pages) the step has.
     * @param sink  where a bar is drawn, or null to draw none.
     * @return the progress of a step that starts now.
     */
    public static StepProgress start(final String task, final long total, final PrintStream sink)
    {
        return new StepProgress(task, total, sink);
    }

    /**
     * One more unit done.
     */
    public void step()
    {
        done++;
        if ((done & (CHECK_EVERY - 1)) == 0 && sink != null)
        {
            update();
        }
    }

    /**
     * @return whether a bar is being shown (the step ran longer than a second).
     */
    public boolean shown()
    {
        return bar != null;
    }

    private void update()
    {
        if (bar != null)
        {
            bar.stepTo(done);
            return;
        }
        final long elapsed = System.nanoTime() - startNanos;
        if (elapsed > SHOW_AFTER_NANOS)
        {
            bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" pages", 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(sink))
                .startsFrom(done, Duration.ofNanos(elapsed))
                .build();
        }
    }

    @Override
    public void close()
    {
        if (bar != null)
        {
            bar.stepTo(done);
            bar.close();
            bar = null;
        }
    }
}
