package org.tmem4j.ramster;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.CounterValues;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code backend=ramster} under the real frontends, against real redis-server processes: a budget far smaller than
 * the pages stored, every byte checked, pages moved to Redis and back; Redis down at registration, killed mid-run
 * and restored from its AOF; bad credentials and a persistent Redis that could drop pages refused at registration.
 */
class RamsterBackendTest
{
    private static final int PAGES = 3_000;

    @TempDir
    Path dir;

    static FrontendsConfig config(final String ephemeralUri, final String persistentUri)
    {
        return builder(ephemeralUri, persistentUri, "test-node").build();
    }

    /**
     * @param node this node's id.
     * @return the builder of {@link #config}, for a node of that id.
     */
    static FrontendsConfig.Builder builder(final String ephemeralUri, final String persistentUri, final String node)
    {
        final FrontendsConfig.Builder builder = FrontendsConfig.builder().backend("ramster").budgetBytes(1L << 20)
            .backendSetting("ramster.node", node).backendSetting("ramster.timeoutMs", "5000")
            .backendSetting("ramster.probeIntervalMs", "100");
        if (ephemeralUri != null)
        {
            builder.backendSetting("ramster.ephemeral.uri", ephemeralUri);
        }
        if (persistentUri != null)
        {
            builder.backendSetting("ramster.persistent.uri", persistentUri);
        }
        return builder;
    }

    /** A compressible page: words from a small alphabet chosen by the page number. */
    static void fill(final MemorySegment page, final int number)
    {
        final SplittableRandom random = new SplittableRandom(number);
        final long[] alphabet = {random.nextLong(), random.nextLong(), random.nextLong(), number};
        for (int i = 0; i < 512; i++)
        {
            page.setAtIndex(ValueLayout.JAVA_LONG, i, alphabet[random.nextInt(alphabet.length)]);
        }
    }

    static LocalRedis durableRedis()
    {
        RedisFixtures.ensureInstalled();
        return LocalRedis.builder().durable().maxMemory(512L << 20, "noeviction").start();
    }

    /**
     * With the engine's plain codec; with a dictionary per pool, whose pages go to Redis compressed again with plain
     * zstd; with a recompression agent (zstd:9 and the pool's dictionary) in an LZ4 engine, whose pages go to Redis
     * compressed again with LZ4.
     */
    @ParameterizedTest(name = "{0}, recompress {1}")
    @CsvSource({"lz4, off", "zstd+dict, off", "lz4, zstd:9+dict"})
    void frontswapAndCleancacheSpillToRedisAndComeBackByteForByte(final String codec, final String recompress)
        throws Exception
    {
        try (LocalRedis persistent = durableRedis();
            LocalRedis cache = LocalRedis.builder().maxMemory(512L << 20, "allkeys-lru").start();
            Arena arena = Arena.ofConfined())
        {
            // zstd packs these pages about four times denser than LZ4: a budget as many pages deep
            final FrontendsConfig config = builder(cache.uri(), persistent.uri(), "test-node").codec(codec)
                .budgetBytes(codec.startsWith("lz4") ? 1L << 20 : 256L << 10).recompress(recompress).recompressIdleMs(0).recompressIntervalMs(1).recompressMinSavedBytes(1)
                .build();
            final BackendRegistry registry = new BackendRegistry();
            final Frontswap frontswap = Frontswap.create(registry, config);
            final Cleancache cleancache = Cleancache.create(registry, config);
            try (frontswap)
            {
                final RamsterBackend backend = (RamsterBackend)registry.register("ramster", config);
                final SwapArea area = frontswap.swapOn(dir.resolve("swap"), PAGES);
                final CleancacheFs fs = cleancache.initFs();
                final MemorySegment page = arena.allocate(4096);
                final MemorySegment back = arena.allocate(4096);
                final int[] slots = new int[PAGES];
                // clean pages first: they fill zcache, then the coldest are moved to Redis (remotified); swapped
                // pages then take the room of the remaining clean pages and, with none left, move the coldest
                // swapped pages down: every page that went down was moved, coldest first, none refused
                final FileKey file = FileKey.of(Files.createFile(dir.resolve("data")));
                for (int i = 0; i < PAGES; i++)
                {
                    fill(page, 100_000 + i);
                    fs.putPage(file, i, page);
                    if (i == PAGES / 4 && !"off".equals(recompress))
                    {
                        // a pass while the budget has room (the agent never takes room a page may need): these
                        // pages, the coldest, are among the first to go down
                        backend.zcache().recompress(); // or the agent, racing, did it already
                        assertTrue(backend.zcache().stats().recompressedPages() > 0, "nothing was recompressed");
                    }
                }
                int inBackend = 0;
                for (int i = 0; i < PAGES; i++)
                {
                    slots[i] = area.allocateSlot();
                    fill(page, i);
                    inBackend += area.store(slots[i], page) ? 1 : 0;
                }
                assertEquals(PAGES, inBackend, "every page went to the backend: zcache or Redis below it");
                assertTrue(backend.tier().persistentStore().puts() > PAGES / 2, backend.tier().toString());
                for (int i = 0; i < PAGES; i++)
                {
                    assertTrue(area.load(slots[i], back), "slot " + i);
                    fill(page, i);
                    assertEquals(-1, page.mismatch(back), "bytes of swapped page " + i);
                }
                int hits = 0;
                for (int i = 0; i < PAGES; i++)
                {
                    if (fs.getPage(file, i, back))
                    {
                        fill(page, 100_000 + i);
                        assertEquals(-1, page.mismatch(back), "bytes of cleancache page " + i);
                        hits++;
                    }
                }
                assertEquals(PAGES, hits, "no ephemeral page was lost: the cache Redis had room for all");
                assertTrue(backend.tier().repatriated() > PAGES, backend.tier().toString());
                assertTrue(backend.zcache().lowerTierStats().remotified() > PAGES
                    && backend.zcache().lowerTierStats().refused() == 0, backend.zcache().lowerTierStats()::toString);
                final List<String> sources = backend.counters().stream().map(c -> c.kind() + "/" + c.name()).toList();
                assertTrue(sources.containsAll(List.of("engine/ramster", "tier/ramster", "remote/ephemeral",
                    "remote/persistent")), sources::toString);
                assertTrue(backend.tier().ephemeralStore().usedMemoryBytes() > 0);
                assertTrue(!codec.endsWith("+dict") && "off".equals(recompress)
                    || backend.zcache().stats().dictionariesMade() > 0, "no dictionary was made");
                registry.unregister();
            }
        }
    }

    /**
     * Two nodes with a dictionary per pool share a cleancache pool through one Redis: the pages one node's
     * dictionaries compressed are read by the other, whose dictionaries are its own. What goes down is compressed
     * by the engine's codec alone, so either node reads it.
     */
    @Test
    void aSharedPoolsPagesBelowAreReadByAnotherNodeWithOtherDictionaries() throws Exception
    {
        final UUID uuid = UUID.randomUUID();
        try (LocalRedis cache = LocalRedis.builder().maxMemory(512L << 20, "allkeys-lru").start();
            Arena arena = Arena.ofConfined())
        {
            final FrontendsConfig configA = builder(cache.uri(), null, "node-a").codec("zstd+dict").build();
            final FrontendsConfig configB = builder(cache.uri(), null, "node-b").codec("zstd+dict").build();
            final BackendRegistry registryA = new BackendRegistry();
            final BackendRegistry registryB = new BackendRegistry();
            final Cleancache cleancacheA = Cleancache.create(registryA, configA);
            final Cleancache cleancacheB = Cleancache.create(registryB, configB);
            final RamsterBackend a = (RamsterBackend)registryA.register("ramster", configA);
            final RamsterBackend b = (RamsterBackend)registryB.register("ramster", configB);
            try
            {
                final CleancacheFs fsA = cleancacheA.initSharedFs(uuid);
                final CleancacheFs fsB = cleancacheB.initSharedFs(uuid);
                final FileKey file = FileKey.of(Files.createFile(dir.resolve("shared-data")));
                final MemorySegment page = arena.allocate(4096);
                final MemorySegment back = arena.allocate(4096);
                for (int i = 0; i < PAGES; i++)
                {
                    fill(page, 200_000 + i);
                    fsA.putPage(file, i, page);
                }
                assertTrue(a.zcache().stats().dictionariesMade() > 0, "node a made no dictionary");
                final long below = a.zcache().lowerTierStats().remotified() + a.zcache().lowerTierStats().storedBelow();
                assertTrue(below > PAGES / 10, below + " pages went down");
                int hits = 0;
                for (int i = 0; i < PAGES; i++)
                {
                    if (fsB.getPage(file, i, back))
                    {
                        fill(page, 200_000 + i);
                        assertEquals(-1, page.mismatch(back), "bytes of shared page " + i + " read by node b");
                        hits++;
                    }
                }
                assertEquals(below, hits, "node b read every page node a moved down, and only those");
                assertEquals(0, b.zcache().lowerTierStats().corrupt());
            }
            finally
            {
                registryB.unregister();
                registryA.unregister();
            }
        }
    }

    @Test
    void redisDownAtRegistrationLeavesTheFrontendsWorkingAndKillMinus9LosesNothing() throws Exception
    {
        try (LocalRedis persistent = durableRedis(); Arena arena = Arena.ofConfined())
        {
            persistent.kill();
            final FrontendsConfig config = config(null, persistent.uri());
            final BackendRegistry registry = new BackendRegistry();
            final Frontswap frontswap = Frontswap.create(registry, config);
            try (frontswap)
            {
                final RamsterBackend backend = (RamsterBackend)registry.register("ramster", config);
                assertTrue(backend.tier().persistentStore().connectionProblem().contains("not reachable"));
                final SwapArea area = frontswap.swapOn(dir.resolve("swap"), PAGES);
                final MemorySegment page = arena.allocate(4096);
                final MemorySegment back = arena.allocate(4096);
                final int[] slots = new int[PAGES];
                for (int i = 0; i < PAGES / 2; i++)
                {
                    slots[i] = area.allocateSlot();
                    fill(page, i);
                    area.store(slots[i], page);
                }
                persistent.start();
                RedisFaultsTest.await("the store reconnects", () -> !backend.tier().persistentStore().isBypassed());
                for (int i = PAGES / 2; i < PAGES; i++)
                {
                    slots[i] = area.allocateSlot();
                    fill(page, i);
                    area.store(slots[i], page);
                }
                assertTrue(backend.tier().persistentStore().puts() > 0, "pages went to Redis once it was up");
                persistent.kill();
                persistent.start();
                RedisFaultsTest.await("the store reconnects", () -> backend.tier().persistentStore()
                    .get(RemoteNamespace.ofNode("test-node"), 0, 0, 0, 0, false) != RedisPageStore.FAILED);
                for (int i = 0; i < PAGES; i++)
                {
                    assertTrue(area.load(slots[i], back), "slot " + i);
                    fill(page, i);
                    assertEquals(-1, page.mismatch(back), "bytes of page " + i + " after kill -9 and AOF replay");
                }
                registry.unregister();
            }
        }
    }

    @Test
    void swappedPagesGoToRedisColdestFirstAndToTheSwapFileWhenRedisIsFullOrDown() throws Exception
    {
        // room in Redis for a part of the pages only: under noeviction it then refuses (OOM), and the coldest pages
        // go on to their slots of the swap file instead (frontswap.writeback)
        try (LocalRedis persistent = LocalRedis.builder().durable().maxMemory(3L << 20, "noeviction").start();
            Arena arena = Arena.ofConfined())
        {
            final FrontendsConfig config = FrontendsConfig.builder().properties(config(null, persistent.uri())
                .toProperties()).writeback(true).build();
            final BackendRegistry registry = new BackendRegistry();
            final Frontswap frontswap = Frontswap.create(registry, config);
            try (frontswap)
            {
                final RamsterBackend backend = (RamsterBackend)registry.register("ramster", config);
                final SwapArea area = frontswap.swapOn(dir.resolve("swap"), 2 * PAGES);
                final MemorySegment page = arena.allocate(4096);
                final MemorySegment back = arena.allocate(4096);
                for (int i = 0; i < PAGES; i++)
                {
                    assertEquals(i, area.allocateSlot());
                    fill(page, i);
                    assertTrue(area.store(i, page), "slot " + i + ": zcache keeps the new page, the coldest go down");
                }
                final RedisPageStore store = backend.tier().persistentStore();
                assertTrue(store.puts() > 0 && store.failures(RemoteFailure.FULL) > 0, store::toString);
                final long written = CounterValues.read(frontswap.counters(), "written_back");
                assertTrue(written > 0, "pages Redis refused went to the swap file");
                // Redis gone: nothing more can go there, the coldest pages go straight to the file
                persistent.kill();
                for (int i = PAGES; i < 2 * PAGES; i++)
                {
                    assertEquals(i, area.allocateSlot());
                    fill(page, i);
                    assertTrue(area.store(i, page), "slot " + i + " with Redis down");
                }
                assertTrue(CounterValues.read(frontswap.counters(), "written_back") > written + PAGES / 2);
                assertEquals(0, backend.zcache().stats().failedPutsNoMemory(), "no store found no room");
                persistent.start();
                RedisFaultsTest.await("the store reconnects", () -> store.get(RemoteNamespace.ofNode("test-node"),
                    0, 0, 0, 0, false) != RedisPageStore.FAILED);
                for (int i = 0; i < 2 * PAGES; i++)
                {
                    assertTrue(area.load(i, back), "slot " + i);
                    fill(page, i);
                    assertEquals(-1, page.mismatch(back), "bytes of page " + i);
                }
                registry.unregister();
            }
        }
    }

    @Test
    void badCredentialsAndALossyPersistentRedisAreRefusedAtRegistration()
    {
        RedisFixtures.ensureInstalled();
        try (LocalRedis lossy = LocalRedis.builder().maxMemory(64L << 20, "allkeys-lru").start())
        {
            assertEquals("OK", lossy.command("ACL", "SETUSER", "tier", "on", ">secret", "~t4j:*", "+@all"));
            final BackendRegistry registry = new BackendRegistry();
            final IllegalStateException lossyPersistent = assertThrows(IllegalStateException.class,
                () -> registry.register("ramster", config(null, lossy.uri())));
            assertTrue(lossyPersistent.getMessage().contains("could lose persistent pages"),
                lossyPersistent.getMessage());
            final FrontendsConfig wrongPassword = FrontendsConfig.builder().backend("ramster")
                .backendSetting("ramster.ephemeral.uri", lossy.uri()).backendSetting("ramster.user", "tier")
                .backendSetting("ramster.password", "wrong").build();
            final IllegalStateException denied = assertThrows(IllegalStateException.class, () ->
            {
                final Backend registered = registry.register("ramster", wrongPassword);
                // say why, should it ever be taken: a store that found Redis unreachable starts bypassed instead
                final RedisPageStore store = ((RamsterBackend)registered).tier().ephemeralStore();
                registry.unregister();
                throw new AssertionError("the wrong password was not refused: the store is "
                    + (store.connectionProblem() == null ? "connected" : store.connectionProblem()) + "; " + lossy
                    + " answers INFO server: " + lossy.command("INFO", "server").replace("\r\n", " "));
            });
            assertTrue(denied.getMessage().contains("refused the credentials of user 'tier'"), denied.getMessage());
            final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> registry.register("ramster", FrontendsConfig.builder()
                    .backendSetting("ramster.ephemeral.url", lossy.uri()).build()));
            assertTrue(unknown.getMessage().contains("unknown key tmem4j.frontends.ramster.ephemeral.url"),
                unknown.getMessage());
            final IllegalArgumentException replicas = assertThrows(IllegalArgumentException.class,
                () -> registry.register("ramster", FrontendsConfig.builder()
                    .backendSetting("ramster.persistent.replicas", "-1").build()));
            assertTrue(replicas.getMessage().contains("ramster.persistent.replicas=-1 is not allowed; allowed: 0 to 16"),
                replicas.getMessage());
        }
    }
}
