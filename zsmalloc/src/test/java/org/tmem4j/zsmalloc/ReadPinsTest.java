package org.tmem4j.zsmalloc;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mover that may give up ({@link ReadPins#tryAwaitReaders}) does so while a reader is in, and the reader it left
 * behind in the old epoch is still waited for by every later mover, after any number of failed tries and readers
 * entering in between; and no mover, trying or waiting, passes while a reader that entered before it is in.
 */
final class ReadPinsTest
{
    @Test
    void aReaderLeftBehindByAFailedTryIsWaitedForByTheNextMover() throws Exception
    {
        final ReadPins pins = new ReadPins();
        assertTrue(pins.tryAwaitReaders(), "no reader is in");
        final int early = pins.enter();
        assertFalse(pins.tryAwaitReaders(), "a reader is in");
        // the epoch flipped: a reader entering now is counted in the new one
        final int late = pins.enter();
        assertFalse(pins.tryAwaitReaders(), "flipping back would take the early reader for a new one");
        pins.exit(late);
        assertFalse(pins.tryAwaitReaders(), "the early reader is still in");
        final AtomicBoolean returned = new AtomicBoolean();
        final Thread mover = Thread.ofPlatform().start(() ->
        {
            pins.awaitReaders();
            returned.set(true);
        });
        while (mover.isAlive() && !ZsmallocPinsTest.waitsForReaders(mover))
        {
            Thread.onSpinWait();
        }
        assertFalse(returned.get(), "the mover did not wait for the reader a failed try left behind");
        pins.exit(early);
        mover.join();
        assertTrue(returned.get());
        assertTrue(pins.tryAwaitReaders(), "every reader has left");
    }

    @Test
    void aMoverNeverPassesWhileAReaderThatEnteredBeforeItIsIn() throws Exception
    {
        final ReadPins pins = new ReadPins();
        final AtomicBoolean stop = new AtomicBoolean();
        // odd while the reader is in: it turns odd after the reader entered and even before it leaves
        final AtomicLong holds = new AtomicLong();
        final Thread reader = Thread.ofPlatform().start(() ->
        {
            while (!stop.get())
            {
                final int token = pins.enter();
                holds.incrementAndGet();
                for (int spin = 0; spin < 200; spin++)
                {
                    Thread.onSpinWait();
                }
                holds.incrementAndGet();
                pins.exit(token);
            }
        });
        long passedOverAHold = 0;
        try
        {
            for (int round = 0; round < 200_000; round++)
            {
                final long before = holds.get();
                final boolean passed = (round & 1) == 0 ? pins.tryAwaitReaders() : awaitReaders(pins);
                if (passed && (before & 1) == 1)
                {
                    passedOverAHold++;
                    assertNotEquals(before, holds.get(), "round " + round + ": a mover passed while the reader "
                        + "that was in before it started was still in");
                }
            }
        }
        finally
        {
            stop.set(true);
            reader.join();
        }
        assertTrue(passedOverAHold > 0, "no mover started while the reader was in");
    }

    private static boolean awaitReaders(final ReadPins pins)
    {
        pins.awaitReaders();
        return true;
    }
}
