package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tmem4j.alloc.PagePerObjectAllocator;
import org.tmem4j.tmem.PoolKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input gets a clear exception whose message says what was wrong and what is allowed, and leaves
 * the stored pages untouched.
 */
final class ZcacheBadInputTest
{
    /** What a case does to a backend holding pool 0 (persistent), pool 1 (ephemeral, destroyed) and one page. */
    private record Case(String name, Class<? extends Throwable> type, String message, Consumer<Fixture> action)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    private record Fixture(Zcache zcache, int pool, int destroyed, MemorySegment page, Arena arena)
    {
    }

    static Stream<Arguments> cases()
    {
        return Stream.of(
            new Case("put of a short buffer", IllegalArgumentException.class, "exactly the pool's page size, 4096",
                f -> f.zcache().put(f.pool(), 1, 2, 3, 4, f.page().asSlice(0, 4095))),
            new Case("put of a long buffer", IllegalArgumentException.class, "was 8192",
                f -> f.zcache().put(f.pool(), 1, 2, 3, 4, f.arena().allocate(8192))),
            new Case("put of null", IllegalArgumentException.class, "null",
                f -> f.zcache().put(f.pool(), 1, 2, 3, 4, null)),
            new Case("get into a short buffer", IllegalArgumentException.class, "exactly the pool's page size",
                f -> f.zcache().get(f.pool(), 1, 2, 3, 4, f.page().asSlice(0, 100))),
            new Case("get into a read-only buffer", IllegalArgumentException.class, "read-only",
                f -> f.zcache().get(f.pool(), 1, 2, 3, 4, f.page().asReadOnly())),
            new Case("unknown pool", IllegalArgumentException.class, "unknown pool 99",
                f -> f.zcache().put(99, 1, 2, 3, 4, f.page())),
            new Case("negative pool", IllegalArgumentException.class, "unknown pool -1",
                f -> f.zcache().get(-1, 1, 2, 3, 4, f.page())),
            new Case("destroyed pool put", IllegalArgumentException.class, "is destroyed",
                f -> f.zcache().put(f.destroyed(), 1, 2, 3, 4, f.page())),
            new Case("destroyed pool flush", IllegalArgumentException.class, "is destroyed",
                f -> f.zcache().flushObject(f.destroyed(), 1, 2, 3)),
            new Case("destroy twice", IllegalArgumentException.class, "is destroyed",
                f -> f.zcache().destroyPool(f.destroyed())),
            new Case("invalid object id put", IllegalArgumentException.class, "invalid object id",
                f -> f.zcache().put(f.pool(), -1, -1, -1, 4, f.page())),
            new Case("invalid object id get", IllegalArgumentException.class, "all ones is reserved",
                f -> f.zcache().get(f.pool(), -1, -1, -1, 4, f.page())),
            new Case("invalid object id flushObject", IllegalArgumentException.class, "invalid object id",
                f -> f.zcache().flushObject(f.pool(), -1, -1, -1)),
            new Case("negative index put", IllegalArgumentException.class, "must be >= 0",
                f -> f.zcache().put(f.pool(), 1, 2, 3, -4, f.page())),
            new Case("negative index flushPage", IllegalArgumentException.class, "must be >= 0",
                f -> f.zcache().flushPage(f.pool(), 1, 2, 3, -1)),
            new Case("page size not a power of two", IllegalArgumentException.class, "power of two from 4096",
                f -> f.zcache().createPool(PoolKind.PERSISTENT, 6000)),
            new Case("page size too small", IllegalArgumentException.class, "was 2048",
                f -> f.zcache().createPool(PoolKind.EPHEMERAL, 2048)),
            new Case("page size too large", IllegalArgumentException.class, "65536",
                f -> f.zcache().createPool(PoolKind.EPHEMERAL, 131072)),
            new Case("shared pool of another kind", IllegalArgumentException.class, "cannot join it as EPHEMERAL",
                f -> {
                    f.zcache().createSharedPool(PoolKind.PERSISTENT, 5, 6, 4096);
                    f.zcache().createSharedPool(PoolKind.EPHEMERAL, 5, 6, 4096);
                })
        ).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void isRejectedClearlyAndHarmsNothing(final Case c)
    {
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(4 << 20).build())
        {
            final MemorySegment page = arena.allocate(4096);
            PageContent.fill(page, 4096, 1, 13);
            final int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final int destroyed = zcache.createPool(PoolKind.EPHEMERAL, 4096);
            zcache.destroyPool(destroyed);
            assertEquals(Zcache.STORED, zcache.put(pool, 1, 2, 3, 4, page));
            final Fixture fixture = new Fixture(zcache, pool, destroyed, arena.allocate(4096), arena);
            final Throwable ex = assertThrows(c.type(), () -> c.action().accept(fixture), c.name());
            assertTrue(ex.getMessage() != null && ex.getMessage().contains(c.message()),
                c.name() + ": message '" + ex.getMessage() + "' should contain '" + c.message() + "'");
            final MemorySegment dst = arena.allocate(4096);
            assertTrue(zcache.get(pool, 1, 2, 3, 4, dst), c.name() + " harmed the stored page");
            assertEquals(-1, page.mismatch(dst), c.name() + " harmed the stored page");
        }
    }

    @Test
    void everyCallAfterCloseIsIllegalState()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(1 << 20).build();
            final int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
            final MemorySegment page = arena.allocate(4096);
            zcache.put(pool, 1, 2, 3, 4, page);
            zcache.close();
            zcache.close();
            final List<Executable> calls = List.of(
                () -> zcache.put(pool, 1, 2, 3, 4, page),
                () -> zcache.get(pool, 1, 2, 3, 4, page),
                () -> zcache.flushPage(pool, 1, 2, 3, 4),
                () -> zcache.flushObject(pool, 1, 2, 3),
                () -> zcache.destroyPool(pool),
                () -> zcache.createPool(PoolKind.EPHEMERAL, 4096),
                () -> zcache.createSharedPool(PoolKind.EPHEMERAL, 1, 2, 4096),
                zcache::compact,
                () -> zcache.budgetBytes(1 << 20),
                zcache::stats);
            for (final Executable call : calls)
            {
                final IllegalStateException ex = assertThrows(IllegalStateException.class, call);
                assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
            }
        }
    }

    @Test
    void badSettingsNameWhatIsAllowed()
    {
        final IllegalArgumentException allocator = assertThrows(IllegalArgumentException.class,
            () -> Zcache.builder().allocator("no-such-allocator").build());
        assertTrue(allocator.getMessage().contains("no-such-allocator") &&
            allocator.getMessage().contains(PagePerObjectAllocator.NAME), allocator.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Zcache.builder().codec("lzo"))
            .getMessage().contains("allowed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Zcache.builder().buckets(100))
            .getMessage().contains("power of two"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Zcache.builder().budgetBytes(-1))
            .getMessage().contains(">= 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Zcache.builder().compressorSlots(0))
            .getMessage().contains("compressorSlots must be 1 to"));
    }

    @Test
    void sharedPoolsAreFoundByUuidAndCounted()
    {
        try (Arena arena = Arena.ofConfined();
            Zcache zcache = Zcache.builder().allocator(PagePerObjectAllocator.NAME).budgetBytes(1 << 20).build())
        {
            final int first = zcache.createSharedPool(PoolKind.EPHEMERAL, 10, 20, 4096);
            final int second = zcache.createSharedPool(PoolKind.EPHEMERAL, 10, 20, 4096);
            final int other = zcache.createSharedPool(PoolKind.EPHEMERAL, 10, 21, 4096);
            assertEquals(first, second);
            assertTrue(other != first);
            final MemorySegment page = arena.allocate(4096);
            PageContent.fill(page, 4096, 1, 23);
            assertEquals(Zcache.STORED, zcache.put(first, 1, 2, 3, 0, page));
            zcache.destroyPool(first);
            assertTrue(zcache.get(second, 1, 2, 3, 0, arena.allocate(4096)), "one reference remains");
            zcache.destroyPool(second);
            assertThrows(IllegalArgumentException.class, () -> zcache.put(first, 1, 2, 3, 0, page));
            final int again = zcache.createSharedPool(PoolKind.EPHEMERAL, 10, 20, 4096);
            assertTrue(again != first, "a destroyed shared pool's uuid makes a new pool");
        }
    }
}
