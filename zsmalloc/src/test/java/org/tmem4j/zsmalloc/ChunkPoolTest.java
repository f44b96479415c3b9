package org.tmem4j.zsmalloc;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tmem4j.memory.PageMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

final class ChunkPoolTest
{
    private static final long SLAB = 64 << 10;

    /**
     * Whether one chunk follows another is answered from their ids; it must agree with where the chunks lie, for
     * every chunk size: within a page, from a page's last chunk to the next page's first in the same slab, and never
     * across slabs.
     */
    @ParameterizedTest
    @ValueSource(ints = {512, 1024, 2048, 4096})
    void aChunkFollowsAnotherExactlyWhereItStartsAtItsEnd(final int chunkSize)
    {
        try (PageMemory memory = PageMemory.builder().budgetBytes(3 * SLAB).slabBytes(SLAB).build())
        {
            final ChunkPool pool = new ChunkPool(memory, chunkSize);
            final List<Integer> chunks = new ArrayList<>();
            for (int page = memory.allocate(); page != PageMemory.NO_PAGE; page = memory.allocate())
            {
                for (int index = 0; index < pool.chunksPerPage; index++)
                {
                    chunks.add(page << 3 | index);
                }
            }
            int following = 0;
            for (final int a : chunks)
            {
                assertFalse(pool.followsInMemory(a, ChunkPool.NO_CHUNK));
                for (final int b : chunks)
                {
                    final boolean adjacent = pool.segment(b) == pool.segment(a)
                        && pool.offset(b) == pool.offset(a) + chunkSize;
                    assertEquals(adjacent, pool.followsInMemory(a, b), a + " then " + b);
                    following += adjacent ? 1 : 0;
                }
            }
            // every chunk but the last of each slab has one that follows it
            assertEquals(chunks.size() - 3, following);
        }
    }
}
