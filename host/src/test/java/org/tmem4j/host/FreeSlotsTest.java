package org.tmem4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A client's free slots: a single caller keeps getting the slot it used last (whose daemon thread still spins),
 * callers in parallel spread over the others, and a caller with none free waits, through interrupts, for the next
 * one released.
 */
class FreeSlotsTest
{
    @Test
    void theSlotReleasedLastIsTakenFirst()
    {
        final FreeSlots<String> free = new FreeSlots<>(List.of("s0", "s1", "s2", "s3"));
        for (int i = 0; i < 10; i++)
        {
            final String slot = free.take();
            assertEquals("s0", slot, "call " + i + " of a single caller");
            free.release(slot);
        }
        final String first = free.take();
        final String second = free.take();
        assertEquals(List.of("s0", "s1"), List.of(first, second), "two callers at once");
        free.release(second);
        free.release(first);
        assertEquals("s0", free.take(), "the slot released last");
        assertEquals("s1", free.take());
        assertEquals("s2", free.take(), "untouched slots stay in their order");
    }

    @Test
    void aCallerWithNoSlotFreeWaitsThroughInterruptsAndKeepsItsStatus() throws Exception
    {
        final FreeSlots<String> free = new FreeSlots<>(List.of("only"));
        final String held = free.take();
        final CompletableFuture<Thread> waiter = new CompletableFuture<>();
        final CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
        final CompletableFuture<String> taken = CompletableFuture.supplyAsync(() ->
        {
            waiter.complete(Thread.currentThread());
            final String slot = free.take();
            interruptedAfter.complete(Thread.interrupted());
            return slot;
        }, command -> Thread.ofPlatform().start(command));
        final Thread thread = waiter.get(30, TimeUnit.SECONDS);
        while (thread.getState() != Thread.State.WAITING)
        {
            Thread.onSpinWait();
        }
        thread.interrupt();
        free.release(held);
        assertEquals("only", taken.get(30, TimeUnit.SECONDS));
        assertTrue(interruptedAfter.get(), "the interrupt is kept for the caller");
    }
}
