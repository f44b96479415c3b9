package org.tmem4j.hardening;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tmem4j.hardening.BadInput.row;

/**
 * The engine's bad-input table: wrong-sized, null and read-only buffers, unknown, negative and destroyed pools,
 * the invalid object id, negative indexes, bad page sizes and builder settings, use after close. Each must raise
 * the documented exception with a message naming what was wrong, and leave a page stored before intact. Heap and
 * read-only buffers where the engine documents them as accepted are checked to work.
 */
final class EngineBadInputTest
{
    private static final int PAGE = 4096;
    private static final long[] BYSTANDER = {5, 6, 7};

    private static Zcache zcache;
    private static Zcache closed;
    private static Arena arena;
    private static int pool;
    private static int destroyed;
    private static int closedPool;
    private static MemorySegment page;
    private static MemorySegment dst;

    @BeforeAll
    static void setUp()
    {
        arena = Arena.ofShared();
        zcache = Zcache.builder().allocator("zsmalloc").budgetBytes(8L << 20).checksum(true).build();
        pool = zcache.createPool(PoolKind.PERSISTENT, PAGE);
        destroyed = zcache.createPool(PoolKind.EPHEMERAL, PAGE);
        zcache.destroyPool(destroyed);
        page = arena.allocate(PAGE, PAGE);
        dst = arena.allocate(PAGE, PAGE);
        VersionedPage.fill(page, PAGE, 1, 1);
        assertEquals(Zcache.STORED, zcache.put(pool, BYSTANDER[0], BYSTANDER[1], BYSTANDER[2], 0, page));
        closed = Zcache.builder().allocator("zbud").budgetBytes(1L << 20).build();
        closedPool = closed.createPool(PoolKind.EPHEMERAL, PAGE);
        closed.close();
    }

    @AfterAll
    static void tearDown()
    {
        zcache.close();
        arena.close();
    }

    @TestFactory
    List<DynamicTest> engine()
    {
        final MemorySegment small = arena.allocate(PAGE - 1);
        final MemorySegment large = arena.allocate(2 * PAGE);
        final MemorySegment readOnly = arena.allocate(PAGE).asReadOnly();
        final List<BadInput> rows = List.of(
            row("put a page one byte short", IllegalArgumentException.class,
                () -> zcache.put(pool, 1, 2, 3, 0, small), "4096", "4095"),
            row("put a page twice the pool's size", IllegalArgumentException.class,
                () -> zcache.put(pool, 1, 2, 3, 0, large), "4096", "8192"),
            row("put a null page", IllegalArgumentException.class, () -> zcache.put(pool, 1, 2, 3, 0, null),
                "null", "4096"),
            row("get into a buffer one byte short", IllegalArgumentException.class,
                () -> zcache.get(pool, 1, 2, 3, 0, small), "4096", "4095"),
            row("get into a read-only buffer", IllegalArgumentException.class,
                () -> zcache.get(pool, BYSTANDER[0], BYSTANDER[1], BYSTANDER[2], 0, readOnly), "read-only"),
            row("put into an unknown pool", IllegalArgumentException.class,
                () -> zcache.put(99, 1, 2, 3, 0, page), "unknown pool 99"),
            row("get from a negative pool id", IllegalArgumentException.class,
                () -> zcache.get(-1, 1, 2, 3, 0, dst), "pool -1"),
            row("put into a destroyed pool", IllegalArgumentException.class,
                () -> zcache.put(destroyed, 1, 2, 3, 0, page), "pool " + destroyed, "destroyed"),
            row("flush a page of a destroyed pool", IllegalArgumentException.class,
                () -> zcache.flushPage(destroyed, 1, 2, 3, 0), "pool " + destroyed, "destroyed"),
            row("destroy a destroyed pool", IllegalArgumentException.class,
                () -> zcache.destroyPool(destroyed), "pool " + destroyed, "destroyed"),
            row("put under the invalid object id", IllegalArgumentException.class,
                () -> zcache.put(pool, -1, -1, -1, 0, page), "object id", "-1"),
            row("get under the invalid object id", IllegalArgumentException.class,
                () -> zcache.get(pool, -1, -1, -1, 0, dst), "object id", "-1"),
            row("flush the invalid object id", IllegalArgumentException.class,
                () -> zcache.flushObject(pool, -1, -1, -1), "object id", "-1"),
            row("put at a negative index", IllegalArgumentException.class,
                () -> zcache.put(pool, 1, 2, 3, -1, page), "index", "-1"),
            row("get at index Integer.MIN_VALUE", IllegalArgumentException.class,
                () -> zcache.get(pool, 1, 2, 3, Integer.MIN_VALUE, dst), "index", "-2147483648"),
            row("flush a page at a negative index", IllegalArgumentException.class,
                () -> zcache.flushPage(pool, 1, 2, 3, -5), "index", "-5"),
            row("create a pool of 1000-byte pages", IllegalArgumentException.class,
                () -> zcache.createPool(PoolKind.PERSISTENT, 1000), "page size", "1000", "4096"),
            row("create a pool of 12288-byte pages (not a power of two)", IllegalArgumentException.class,
                () -> zcache.createPool(PoolKind.EPHEMERAL, 12288), "page size", "12288", "power of two"),
            row("create a pool of 128 KiB pages", IllegalArgumentException.class,
                () -> zcache.createPool(PoolKind.EPHEMERAL, 131072), "page size", "131072", "65536"),
            row("join a shared pool with another kind", IllegalArgumentException.class, () ->
            {
                zcache.createSharedPool(PoolKind.EPHEMERAL, 11, 12, PAGE);
                zcache.createSharedPool(PoolKind.PERSISTENT, 11, 12, PAGE);
            }, "EPHEMERAL", "PERSISTENT"),
            row("build with an unknown allocator", IllegalArgumentException.class,
                () -> Zcache.builder().allocator("slab").build(), "'slab'", "zbud", "zsmalloc"),
            row("build with an unknown codec", IllegalArgumentException.class,
                () -> Zcache.builder().codec("lz5"), "lz5", "lz4", "zstd"),
            row("build with zstd level 99", IllegalArgumentException.class,
                () -> Zcache.builder().codec("zstd:99"), "99", "22"),
            row("build with a negative budget", IllegalArgumentException.class,
                () -> Zcache.builder().budgetBytes(-1), "budget", "-1"),
            row("build with 3 buckets", IllegalArgumentException.class,
                () -> Zcache.builder().buckets(3), "buckets", "3", "power of two"),
            row("build with 0 compressor slots", IllegalArgumentException.class,
                () -> Zcache.builder().compressorSlots(0), "slots", "0"),
            row("create a pool of no kind", IllegalArgumentException.class,
                () -> zcache.createPool(null, PAGE), "kind", "null"),
            row("create a shared pool of no kind", IllegalArgumentException.class,
                () -> zcache.createSharedPool(null, 1, 2, PAGE), "kind", "null"),
            row("build with a null name", IllegalArgumentException.class,
                () -> Zcache.builder().name(null), "name", "null"),
            row("build with a null allocator", IllegalArgumentException.class,
                () -> Zcache.builder().allocator(null), "allocatorName", "null"),
            row("build with a null codec spec", IllegalArgumentException.class,
                () -> Zcache.builder().codec((org.tmem4j.codec.CodecSpec)null), "codec", "null"),
            row("build with a null codec text", IllegalArgumentException.class,
                () -> Zcache.builder().codec((String)null), "codec spec", "null"),
            row("build with a null codec factory", IllegalArgumentException.class,
                () -> Zcache.builder().codecFactory(null), "codecs", "null"),
            row("put after close", IllegalStateException.class, () -> closed.put(closedPool, 1, 2, 3, 0, page),
                "closed"),
            row("get after close", IllegalStateException.class, () -> closed.get(closedPool, 1, 2, 3, 0, dst),
                "closed"),
            row("create a pool after close", IllegalStateException.class,
                () -> closed.createPool(PoolKind.PERSISTENT, PAGE), "closed"),
            row("flush an object after close", IllegalStateException.class,
                () -> closed.flushObject(closedPool, 1, 2, 3), "closed"),
            row("lower the budget after close", IllegalStateException.class, () -> closed.budgetBytes(0),
                "closed"),
            row("compact after close", IllegalStateException.class, closed::compact, "closed"),
            row("stats after close", IllegalStateException.class, closed::stats, "closed"));
        return BadInput.tests("engine", rows, EngineBadInputTest::bystanderIntact);
    }

    /** Heap pages and read-only sources are accepted, as {@link Zcache#put} documents. */
    @Test
    void heapAndReadOnlyBuffersAreAcceptedWhereDocumented()
    {
        final MemorySegment heapPage = MemorySegment.ofArray(new byte[PAGE]);
        VersionedPage.text(heapPage, PAGE, 2);
        assertEquals(Zcache.STORED, zcache.put(pool, 8, 8, 8, 1, heapPage.asReadOnly()));
        final MemorySegment heapDst = MemorySegment.ofArray(new long[PAGE / 8]);
        assertTrue(zcache.get(pool, 8, 8, 8, 1, heapDst));
        assertEquals(-1, MemorySegment.mismatch(heapDst, 0, PAGE, heapPage, 0, PAGE));
        bystanderIntact();
    }

    private static void bystanderIntact()
    {
        final MemorySegment expected = arena.allocate(PAGE);
        assertTrue(zcache.get(pool, BYSTANDER[0], BYSTANDER[1], BYSTANDER[2], 0, dst), "the bystander page is gone");
        assertEquals(-1, VersionedPage.mismatch(dst, expected, PAGE, 1, 1), "the bystander page was damaged");
    }
}
