package org.tmem4j.host;

import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * A client's free request slots, handed out the one released last first. After each answer the slot's daemon thread
 * spins a while for the next request and then goes to sleep, so the slot used last is the one most likely still
 * watched. Taken in turn (a queue), a caller's every request went to the slot that had waited longest: on a machine
 * with two cores four daemon threads spun at once for a single calling thread, and most requests found theirs asleep
 * or without a core (a round trip of 10 µs and more, where a spinning slot answers in well under one).
 *
 * @param <S> a slot.
 */
final class FreeSlots<S>
{
    private final LinkedBlockingDeque<S> free;

    /**
     * @param slots every slot, all free; the first is handed out first.
     */
    FreeSlots(final List<S> slots)
    {
        free = new LinkedBlockingDeque<>(slots);
    }

    /**
     * Takes the slot released last, waiting for one if none is free. An interrupt does not end the wait (a call is
     * synchronous, like a hypercall); the thread's interrupt status is kept.
     */
    S take()
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                final S slot = free.takeFirst();
                if (interrupted)
                {
                    Thread.currentThread().interrupt();
                }
                return slot;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
    }

    /**
     * Gives a slot back: the next {@link #take()} gets it.
     */
    void release(final S slot)
    {
        free.addFirst(slot);
    }
}
