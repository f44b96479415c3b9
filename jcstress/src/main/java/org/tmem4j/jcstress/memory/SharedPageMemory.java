package org.tmem4j.jcstress.memory;

import org.tmem4j.memory.PageMemory;

/**
 * The page memories every state of the page-memory tests shares. Creating one per state would map and unmap a slab
 * per state and leak the arenas of states jcstress never closes. {@link #MEMORY}, with 16-page slabs, no retained
 * spare and no per-CPU caches, still maps a fresh slab whenever a state's arbiter has drained the last one, so slab
 * publication races are exercised all the time; {@link #CACHED} has per-CPU caches of a few pages, so pages move
 * between caches and slabs all the time.
 */
final class SharedPageMemory
{
    static final PageMemory MEMORY = PageMemory.builder()
        .budgetBytes(1L << 30)
        .slabBytes(64 << 10)
        .retainedEmptySlabs(0)
        .cpuCachePages(0)
        .build();

    static final PageMemory CACHED = PageMemory.builder()
        .budgetBytes(1L << 30)
        .slabBytes(64 << 10)
        .retainedEmptySlabs(0)
        .cpuCachePages(4)
        .build();

    private SharedPageMemory()
    {
    }

    /**
     * {@return a page memory of one 64 KiB slab with per-CPU caches of four pages, for a state that needs pages no
     * other state can take (its arbiter closes it)}
     */
    static PageMemory ofOneSlab()
    {
        return PageMemory.builder()
            .budgetBytes(64 << 10)
            .slabBytes(64 << 10)
            .cpuCachePages(4)
            .mmap(false)
            .build();
    }
}
