package org.tmem4j.jcstress.memory;

import org.tmem4j.memory.PageMemory;

/**
 * The page memory every state of the page-memory tests shares. Creating one per state would map and unmap a slab
 * per state and leak the arenas of states jcstress never closes; a shared one with 16-page slabs and no retained
 * spare still maps a fresh slab whenever a state's arbiter has drained the last one, so slab publication races are
 * exercised all the time.
 */
final class SharedPageMemory
{
    static final PageMemory MEMORY = PageMemory.builder()
        .budgetBytes(1L << 30)
        .slabBytes(64 << 10)
        .retainedEmptySlabs(0)
        .build();

    private SharedPageMemory()
    {
    }
}
