package org.tmem4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.BackendProvider;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Pages;
import org.tmem4j.zcache.Zcache;

/**
 * Tmem semantics through a live daemon on a real socket: every page back byte for byte, misuse answered, pools
 * private to their client, caps held, a closed client's pools freed.
 */
class HostBackendTest
{
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (final AutoCloseable closeable : open.reversed())
        {
            closeable.close();
        }
    }

    private HostDaemon daemon(final long budget, final HostConfig config)
    {
        final HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder().hostSocket(dir.resolve("h/host.sock"))
            .budgetBytes(budget).build(), config);
        open.add(daemon);
        return daemon;
    }

    private HostBackend client(final HostDaemon daemon, final int slots)
    {
        final HostBackend backend = HostBackend.connect(daemon.socket(), slots);
        open.add(backend);
        return backend;
    }

    @Test
    void socketAndDirectoryAreOwnerOnlyAndNoRegionFileStays() throws Exception
    {
        final HostDaemon daemon = daemon(1 << 20, HostConfig.defaults());
        client(daemon, 2);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.socket()
            .getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.socket())));
        try (var files = Files.list(daemon.socket().getParent()))
        {
            assertEquals(List.of(daemon.socket()), files.toList());
        }
    }

    @Test
    void providerConnectsByName()
    {
        final HostDaemon daemon = daemon(1 << 20, HostConfig.defaults());
        final Backend backend = BackendProvider.named("host").create(FrontendsConfig.builder()
            .hostSocket(daemon.socket()).hostSlots(3).build());
        open.add((AutoCloseable)backend);
        assertEquals("host", backend.name());
        assertTrue(backend.mayVanish());
    }

    @Test
    void modelOfEphemeralAndPersistentPoolsFromManyThreads() throws Exception
    {
        final HostDaemon daemon = daemon(64L << 20, HostConfig.defaults());
        final HostBackend backend = client(daemon, 4);
        final int threads = 6;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads))
        {
            final List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                futures.add(pool.submit(() -> runModel(backend, thread, 8_000)));
            }
            for (final Future<?> future : futures)
            {
                future.get();
            }
        }
    }

    /** One thread's own pools against a model: persistent pages stay until flushed, ephemeral gets take. */
    private static Void runModel(final HostBackend backend, final int thread, final int ops)
    {
        final SplittableRandom random = new SplittableRandom(thread * 7919L + 1);
        final int persistent = backend.createPersistentPool(4096);
        final int ephemeral = backend.createEphemeralPool(8192);
        final Map<Long, Long> kept = new HashMap<>();
        final Map<Long, Long> cached = new HashMap<>();
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment small = arena.allocate(4096);
            final MemorySegment large = arena.allocate(8192);
            long tag = (long)thread << 40;
            for (int op = 0; op < ops; op++)
            {
                final long key = random.nextInt(200);
                final int object = (int)(key / 16);
                final int index = (int)(key % 16);
                switch (random.nextInt(7))
                {
                    case 0, 1 ->
                    {
                        Pages.fill(small, ++tag);
                        assertEquals(Backend.STORED, backend.put(persistent, object, 1, 2, index, small));
                        kept.put(key, tag);
                    }
                    case 2 ->
                    {
                        final Long want = kept.get(key);
                        assertEquals(want != null, backend.get(persistent, object, 1, 2, index, small));
                        assertTrue(want == null || Pages.matches(small, want), "persistent page " + key);
                    }
                    case 3 ->
                    {
                        assertEquals(kept.remove(key) != null, backend.invalidatePage(persistent, object, 1, 2,
                            index));
                    }
                    case 4 ->
                    {
                        Pages.fill(large, ++tag);
                        assertEquals(Backend.STORED, backend.put(ephemeral, object, 3, 4, index, large));
                        cached.put(key, tag);
                    }
                    case 5 ->
                    {
                        final Long want = cached.remove(key);
                        final boolean hit = backend.get(ephemeral, object, 3, 4, index, large);
                        assertEquals(want != null, hit, "the budget holds every ephemeral page of this test");
                        assertTrue(!hit || Pages.matches(large, want), "ephemeral page " + key);
                    }
                    default ->
                    {
                        final int dropped = backend.invalidateObject(persistent, object, 1, 2);
                        final int before = kept.size();
                        kept.keySet().removeIf(k -> k / 16 == object);
                        assertEquals(before - kept.size(), dropped);
                    }
                }
            }
        }
        backend.destroyPool(persistent);
        backend.destroyPool(ephemeral);
        return null;
    }

    /**
     * A get's page crosses as the store holds it: compressed by the store's codec (decompressed by the client), or
     * the page itself (same-filled, raw, with a dictionary, checksummed); either way it comes back exactly, into a
     * native page or a heap one.
     */
    @ParameterizedTest(name = "codec={0}, checksum={1}")
    @CsvSource({"lz4, false", "zstd, false", "zstd+dict, false", "lz4, true"})
    void everyKindOfPageComesBackExactlyWhateverTheStoresCodec(final String codec, final boolean checksum)
    {
        final HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder().hostSocket(dir.resolve("h/host.sock"))
            .budgetBytes(64L << 20).codec(codec).checksum(checksum).rawIncompressible(true).build(),
            HostConfig.defaults());
        open.add(daemon);
        final HostBackend backend = client(daemon, 2);
        final int pool = backend.createPersistentPool(4096);
        final int pages = 400;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            final MemorySegment nativeDst = arena.allocate(4096);
            final MemorySegment heapDst = MemorySegment.ofArray(new byte[4096]);
            for (int i = 0; i < pages; i++)
            {
                fillOfKind(page, i);
                assertEquals(Backend.STORED, backend.put(pool, 1, 2, 3, i, page), "page " + i);
            }
            for (int i = 0; i < pages; i++)
            {
                fillOfKind(page, i);
                final MemorySegment dst = i % 2 == 0 ? nativeDst : heapDst;
                dst.fill((byte)0x5A);
                assertTrue(backend.get(pool, 1, 2, 3, i, dst), "page " + i);
                assertEquals(-1, page.mismatch(dst), "page " + i);
            }
        }
    }

    /** Compressible, same-filled, incompressible and text-like pages in turn. */
    private static void fillOfKind(final MemorySegment page, final int i)
    {
        final SplittableRandom random = new SplittableRandom(i);
        switch (i % 4)
        {
            case 0 -> Pages.fill(page, i);
            case 1 -> page.fill((byte)(i % 3 == 0 ? 0 : i));
            case 2 ->
            {
                for (long at = 0; at < page.byteSize(); at += Long.BYTES)
                {
                    page.set(ValueLayout.JAVA_LONG_UNALIGNED, at, random.nextLong());
                }
            }
            default ->
            {
                final String[] words = {"tmem ", "page ", "pool ", "zcache ", "frontswap ", "cleancache "};
                for (long at = 0; at < page.byteSize(); )
                {
                    final String word = words[random.nextInt(words.length)];
                    for (int k = 0; k < word.length() && at < page.byteSize(); k++, at++)
                    {
                        page.set(ValueLayout.JAVA_BYTE, at, (byte)word.charAt(k));
                    }
                }
            }
        }
    }

    @Test
    void misuseIsAnsweredAndTheConnectionStays()
    {
        final HostDaemon daemon = daemon(1 << 20, HostConfig.defaults());
        final HostBackend backend = client(daemon, 1);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            assertThrows(IllegalArgumentException.class, () -> backend.createEphemeralPool(1000));
            final int pool = backend.createPersistentPool(4096);
            assertThrows(IllegalArgumentException.class, () -> backend.put(pool + 5, 1, 1, 1, 0, page));
            assertThrows(IllegalArgumentException.class, () -> backend.put(pool, 1, 1, 1, 0, arena.allocate(100)));
            final IllegalArgumentException invalidId = assertThrows(IllegalArgumentException.class,
                () -> backend.put(pool, -1, -1, -1, 0, page));
            assertTrue(invalidId.getMessage().startsWith("host daemon: "), invalidId.getMessage());
            Pages.fill(page, 42);
            assertEquals(Backend.STORED, backend.put(pool, 1, 1, 1, 0, page));
            page.fill((byte)0);
            assertTrue(backend.get(pool, 1, 1, 1, 0, page));
            assertTrue(Pages.matches(page, 42));
            assertFalse(backend.isGone());
        }
    }

    @Test
    void anotherClientCannotReachMyPoolButSharesASharedOne()
    {
        final HostDaemon daemon = daemon(4 << 20, HostConfig.defaults());
        final HostBackend mine = client(daemon, 1);
        final HostBackend other = client(daemon, 1);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            final int pool = mine.createEphemeralPool(4096);
            final int shared = mine.createSharedEphemeralPool(11, 22, 4096);
            Pages.fill(page, 7);
            assertEquals(Backend.STORED, mine.put(pool, 1, 0, 0, 0, page));
            assertEquals(Backend.STORED, mine.put(shared, 1, 0, 0, 0, page));
            // the other client's handle space is its own: its first pool is not mine
            final int theirs = other.createEphemeralPool(4096);
            assertEquals(pool, theirs);
            assertFalse(other.get(theirs, 1, 0, 0, 0, page));
            final int joined = other.createSharedEphemeralPool(11, 22, 4096);
            assertTrue(other.get(joined, 1, 0, 0, 0, page));
            assertTrue(Pages.matches(page, 7));
            // the shared pool lives while a member uses it
            mine.destroyPool(shared);
            Pages.fill(page, 8);
            assertEquals(Backend.STORED, other.put(joined, 2, 0, 0, 0, page));
        }
    }

    @Test
    void aClosedClientsPoolsAreFreedAndOthersKeepTheirs()
    {
        final HostDaemon daemon = daemon(4 << 20, HostConfig.defaults());
        final HostBackend stays = client(daemon, 1);
        final HostBackend leaves = HostBackend.connect(daemon.socket(), 3);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            final int kept = stays.createPersistentPool(4096);
            Pages.fill(page, 1);
            assertEquals(Backend.STORED, stays.put(kept, 0, 0, 0, 0, page));
            final int gone = leaves.createPersistentPool(4096);
            for (int i = 0; i < 50; i++)
            {
                Pages.fill(page, 100 + i);
                assertEquals(Backend.STORED, leaves.put(gone, 0, 0, 0, i, page));
            }
            assertEquals(51, daemon.zcache().stats().storedPages());
            assertEquals(2, daemon.clients());
            leaves.close();
            Conditions.await(() -> daemon.clients() == 1, "the closed client ends at the daemon");
            assertEquals(1, daemon.zcache().stats().storedPages());
            assertTrue(stays.get(kept, 0, 0, 0, 0, page));
            assertTrue(Pages.matches(page, 1));
        }
    }

    @Test
    void aClientAtItsPersistentCapIsRefusedAndNobodyElseLosesAPage()
    {
        final Properties properties = new Properties();
        properties.setProperty("tmem4j.host.persistentCap", "1000");
        properties.setProperty("tmem4j.host.persistentCap." + System.getProperty("user.name"), "20");
        final HostDaemon daemon = daemon(4 << 20, HostConfig.from(properties));
        final HostBackend first = client(daemon, 1);
        final HostBackend second = client(daemon, 1);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            final int a = first.createPersistentPool(4096);
            final int b = second.createPersistentPool(4096);
            for (int i = 0; i < 20; i++)
            {
                Pages.fill(page, i);
                assertEquals(Backend.STORED, first.put(a, 0, 0, 0, i, page));
                assertEquals(Backend.STORED, second.put(b, 0, 0, 0, i, page));
            }
            // replacing a page at the cap is refused too, and drops the old copy as any refused put does
            assertEquals(Zcache.NO_MEMORY, first.put(a, 0, 0, 0, 20, page));
            assertEquals(Zcache.NO_MEMORY, first.put(a, 0, 0, 0, 0, page));
            assertFalse(first.get(a, 0, 0, 0, 0, page));
            Pages.fill(page, 99);
            assertEquals(Backend.STORED, first.put(a, 0, 0, 0, 0, page));
            for (int i = 0; i < 20; i++)
            {
                assertTrue(second.get(b, 0, 0, 0, i, page));
                assertTrue(Pages.matches(page, i));
            }
            assertTrue(daemon.statusTable().contains(" 20 "), daemon.statusTable());
        }
    }

    @Test
    void aUsersWeightGoesToItsClientsEphemeralPools()
    {
        final Properties properties = new Properties();
        properties.setProperty("tmem4j.host.weight." + System.getProperty("user.name"), "7");
        final HostDaemon daemon = daemon(1 << 20, HostConfig.from(properties));
        final HostBackend backend = client(daemon, 1);
        backend.createEphemeralPool(4096);
        backend.createSharedEphemeralPool(1, 2, 4096);
        assertEquals(List.of(7, 7), daemon.zcache().stats().pools().stream()
            .map(row -> daemon.zcache().poolWeight(row.id())).toList());
        assertTrue(daemon.statusTable().lines().anyMatch(line -> line.matches(".* 7 +0 +0 +0$")),
            daemon.statusTable());
    }

    @Test
    void aClientsNameSelectsItsSettingsUnderItsOwnUserOnly()
    {
        final String me = System.getProperty("user.name");
        final Properties properties = new Properties();
        properties.setProperty("tmem4j.host.weight." + me, "3");
        properties.setProperty("tmem4j.host.weight." + me + "/orders", "8");
        properties.setProperty("tmem4j.host.persistentCap." + me + "/orders", "5");
        // another user's name: a client of mine that claims it gets my user's settings, not these
        properties.setProperty("tmem4j.host.weight.someone-else/billing", "100");
        properties.setProperty("tmem4j.host.persistentCap.someone-else/billing", "1");
        final HostDaemon daemon = daemon(4 << 20, HostConfig.from(properties));
        final HostBackend orders = HostBackend.connect(daemon.socket(), 1, "orders");
        open.add(orders);
        final HostBackend billing = HostBackend.connect(daemon.socket(), 1, "billing");
        open.add(billing);
        final HostBackend anonymous = client(daemon, 1);
        final Map<Integer, HostClientStats> rows = new HashMap<>();
        daemon.clientStats().forEach(row -> rows.put(row.id(), row));
        assertEquals(me + "/orders", rows.get(orders.clientId()).qualifiedName());
        assertEquals(8, rows.get(orders.clientId()).weight());
        assertEquals(5, rows.get(orders.clientId()).persistentCap());
        assertEquals(3, rows.get(billing.clientId()).weight());
        assertEquals(HostConfig.UNLIMITED, rows.get(billing.clientId()).persistentCap());
        assertEquals(3, rows.get(anonymous.clientId()).weight());
        final int pool = orders.createPersistentPool(4096);
        final int ephemeral = orders.createEphemeralPool(4096);
        assertEquals(8, daemon.zcache().poolWeight(daemon.zcache().stats().pools().getLast().id()));
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            for (int i = 0; i < 5; i++)
            {
                Pages.fill(page, i);
                assertEquals(Backend.STORED, orders.put(pool, 0, 0, 0, i, page));
            }
            assertEquals(Zcache.NO_MEMORY, orders.put(pool, 0, 0, 0, 5, page));
            assertEquals(Backend.STORED, orders.put(ephemeral, 0, 0, 0, 5, page));
        }
        assertTrue(HostStatus.read(daemon.socket()).contains(me + "/orders"), HostStatus.read(daemon.socket()));
        assertThrows(IllegalArgumentException.class, () -> HostBackend.connect(daemon.socket(), 1, "no/slash"));
    }

    @Test
    void badSettingsAreNamed()
    {
        final Properties properties = new Properties();
        properties.setProperty("tmem4j.host.weight", "0");
        final IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
            () -> HostConfig.from(properties));
        assertEquals("tmem4j.host.weight=0 is not allowed; allowed: a whole number from 1 to 1000000",
            weight.getMessage());
        properties.clear();
        properties.setProperty("tmem4j.host.sharedUsers", "x");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HostConfig.from(properties)).getMessage()
            .startsWith("unknown key tmem4j.host.sharedUsers; the keys are"));
    }

    @Test
    void statusListsEveryClient()
    {
        final HostDaemon daemon = daemon(1 << 20, HostConfig.defaults());
        final HostBackend backend = client(daemon, 2);
        backend.createEphemeralPool(4096);
        final String table = HostStatus.read(daemon.socket());
        assertTrue(table.lines().anyMatch(line -> line.startsWith(backend.clientId() + " ")
            && line.contains(System.getProperty("user.name")) && line.contains(Long.toString(
            ProcessHandle.current().pid()))), table);
        assertTrue(table.contains("clients 1"), table);
    }
}
