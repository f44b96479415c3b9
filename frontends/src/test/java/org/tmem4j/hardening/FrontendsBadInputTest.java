package org.tmem4j.hardening;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tmem4j.hardening.BadInput.row;

/**
 * The frontends' bad-input table: slots out of range or never allocated, buffers of the wrong size or read-only,
 * negative indexes and targets, the invalid file key, unmounted filesystems, swapped-off areas, and configuration
 * values that are not allowed. Each must raise the documented exception with a message naming the problem; a page
 * stored in a swap area before must still load back exact after every row.
 */
final class FrontendsBadInputTest
{
    private static final int PAGE = SwapArea.PAGE_SIZE;
    private static final int SLOTS = 16;

    @TempDir
    static Path dir;

    private static Arena arena;
    private static Frontswap frontswap;
    private static SwapArea area;
    private static SwapArea swappedOff;
    private static CleancacheFs fs;
    private static CleancacheFs unmounted;
    private static int bystanderSlot;
    private static int freeSlot;
    private static MemorySegment page;

    @BeforeAll
    static void setUp()
    {
        arena = Arena.ofShared();
        final FrontendsConfig config = FrontendsConfig.builder().allocator("zsmalloc").budgetBytes(4L << 20).build();
        final BackendRegistry registry = new BackendRegistry();
        frontswap = Frontswap.create(registry, config);
        area = frontswap.swapOn(dir.resolve("swap"), SLOTS);
        swappedOff = frontswap.swapOn(dir.resolve("off"), SLOTS);
        swappedOff.allocateSlot();
        swappedOff.close();
        page = arena.allocate(PAGE, PAGE);
        bystanderSlot = area.allocateSlot();
        freeSlot = SLOTS - 1;
        VersionedPage.fill(page, PAGE, 42, 1);
        area.store(bystanderSlot, page);
        final Cleancache cleancache = Cleancache.create(registry, config);
        fs = cleancache.initFs();
        unmounted = cleancache.initFs();
        unmounted.invalidateFs();
    }

    @AfterAll
    static void tearDown()
    {
        frontswap.close();
        arena.close();
    }

    @TestFactory
    List<DynamicTest> frontends()
    {
        final MemorySegment small = arena.allocate(PAGE - 1);
        final MemorySegment readOnly = arena.allocate(PAGE).asReadOnly();
        final FileKey key = new FileKey(1, 2, 3);
        final List<BadInput> rows = List.of(
            row("store into slot -1", IllegalArgumentException.class, () -> area.store(-1, page), "slot -1",
                "0\\.\\." + (SLOTS - 1)),
            row("load from a slot past the end", IllegalArgumentException.class,
                () -> area.load(SLOTS, arena.allocate(PAGE)), "slot " + SLOTS, "0\\.\\." + (SLOTS - 1)),
            row("store into a slot never allocated", IllegalArgumentException.class,
                () -> area.store(freeSlot, page), "slot " + freeSlot, "not allocated"),
            row("free a slot never allocated", IllegalArgumentException.class, () -> area.freeSlot(freeSlot),
                "slot " + freeSlot, "not allocated"),
            row("store a page one byte short", IllegalArgumentException.class,
                () -> area.store(bystanderSlot, small), "4096", "4095"),
            row("load into a buffer one byte short", IllegalArgumentException.class,
                () -> area.load(bystanderSlot, small), "4096", "4095"),
            row("load into a read-only buffer", IllegalArgumentException.class,
                () -> area.load(bystanderSlot, readOnly), "read-only"),
            row("store a null page", IllegalArgumentException.class, () -> area.store(bystanderSlot, null), "null"),
            row("shrink to a negative target", IllegalArgumentException.class, () -> area.shrink(-1), "-1"),
            row("swap on with no slots", IllegalArgumentException.class,
                () -> frontswap.swapOn(dir.resolve("none"), 0), "slot", "0"),
            row("store into a swapped-off area", IllegalStateException.class, () -> swappedOff.store(0, page),
                "swapped off"),
            row("allocate a slot of a swapped-off area", IllegalStateException.class, swappedOff::allocateSlot,
                "swapped off"),
            row("the invalid file key", IllegalArgumentException.class, () -> new FileKey(-1, -1, -1), "-1",
                "invalid"),
            row("the file key of no file", IllegalArgumentException.class, () -> FileKey.of(null), "file", "null"),
            row("swap on /dev/null", IllegalArgumentException.class,
                () -> frontswap.swapOn(java.nio.file.Path.of("/dev/null"), 4), "/dev/null", "not a regular file"),
            row("cleancache get at a negative index", IllegalArgumentException.class,
                () -> fs.getPage(key, -1, arena.allocate(PAGE)), "index -1"),
            row("cleancache put a page one byte short", IllegalArgumentException.class,
                () -> fs.putPage(key, 0, small), "4096", "4095"),
            row("cleancache get into a read-only buffer", IllegalArgumentException.class,
                () -> fs.getPage(key, 0, readOnly), "read-only"),
            row("cleancache put with a null key", IllegalArgumentException.class, () -> fs.putPage(null, 0, page),
                "key", "null"),
            row("cleancache get from an unmounted filesystem", IllegalStateException.class,
                () -> unmounted.getPage(key, 0, arena.allocate(PAGE)), "unmounted"),
            row("cleancache mount with 1000-byte pages", IllegalArgumentException.class,
                () -> Cleancache.create(new BackendRegistry(), FrontendsConfig.defaults()).initFs(1000), "1000"),
            row("cleancache shared mount with a null uuid", IllegalArgumentException.class,
                () -> Cleancache.create(new BackendRegistry(), FrontendsConfig.defaults()).initSharedFs(null),
                "uuid", "null"),
            row("cleancache shared mount with another page size", IllegalArgumentException.class, () ->
            {
                final Cleancache c = Cleancache.create(new BackendRegistry(), FrontendsConfig.defaults());
                final UUID uuid = new UUID(1, 2);
                c.initSharedFs(uuid, 4096);
                c.initSharedFs(uuid, 8192);
            }, "4096", "8192"),
            row("config: unknown allocator", IllegalArgumentException.class,
                () -> FrontendsConfig.builder().allocator("slab"), "tmem4j.frontends.allocator", "slab", "zbud"),
            row("config: negative budget", IllegalArgumentException.class,
                () -> FrontendsConfig.builder().budgetBytes(-1), "tmem4j.frontends.budget", "-1"),
            row("config: 3 buckets", IllegalArgumentException.class, () -> FrontendsConfig.builder().buckets(3),
                "tmem4j.frontends.buckets", "3"),
            row("config: a key with a typo", IllegalArgumentException.class,
                () -> FrontendsConfig.builder().properties(properties("tmem4j.frontends.budgte", "1M")),
                "tmem4j.frontends.budgte"),
            row("config: a budget that is not a size", IllegalArgumentException.class,
                () -> FrontendsConfig.builder().properties(properties("tmem4j.frontends.budget", "lots")),
                "tmem4j.frontends.budget", "lots"),
            row("config: a boolean that is not one", IllegalArgumentException.class,
                () -> FrontendsConfig.builder().properties(properties("tmem4j.frontends.checksum", "yes please")),
                "tmem4j.frontends.checksum", "yes please"));
        return BadInput.tests("frontends", rows, FrontendsBadInputTest::bystanderIntact);
    }

    private static Properties properties(final String key, final String value)
    {
        final Properties properties = new Properties();
        properties.setProperty(key, value);
        return properties;
    }

    private static void bystanderIntact()
    {
        final MemorySegment dst = arena.allocate(PAGE);
        assertTrue(area.load(bystanderSlot, dst), "the bystander slot is empty");
        assertEquals(-1, VersionedPage.mismatch(dst, arena.allocate(PAGE), PAGE, 42, 1),
            "the bystander slot was damaged");
    }
}
