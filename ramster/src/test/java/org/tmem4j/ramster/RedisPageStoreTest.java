package org.tmem4j.ramster;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisPageStoreTest
{
    private static LocalRedis redis;

    @BeforeAll
    static void startRedis()
    {
        RedisFixtures.ensureInstalled();
        redis = LocalRedis.builder().durable().maxMemory(256L << 20, "noeviction").start();
    }

    @AfterAll
    static void stopRedis()
    {
        redis.close();
    }

    /** A timeout generous enough for a loaded 2-core machine: these tests are not about timeouts. */
    static RedisEndpoint endpoint(final String uri, final Durability durability)
    {
        return RedisEndpoint.of(uri, durability).withCommandTimeout(java.time.Duration.ofSeconds(5));
    }

    static byte[] payload(final SplittableRandom random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    @Test
    void pagesComeBackBitExactAgainstAModel()
    {
        final SplittableRandom random = new SplittableRandom(15);
        final RemoteNamespace ns = RemoteNamespace.ofPrivatePool("model", 1);
        final Map<Long, byte[]> model = new HashMap<>();
        try (RedisPageStore store = RedisPageStore.open(endpoint(redis.uri(), Durability.PERSISTENT)))
        {
            for (int op = 0; op < 20_000; op++)
            {
                final long object = random.nextInt(16);
                final int index = random.nextInt(32);
                final long key = object << 32 | index;
                switch (random.nextInt(5))
                {
                    case 0, 1 ->
                    {
                        final byte[] page = payload(random, 1 + random.nextInt(600));
                        assertEquals(RedisPageStore.STORED, store.put(ns, object, 0, 0, index, 1, 4096,
                            MemorySegment.ofArray(page)));
                        model.put(key, page);
                    }
                    case 2 ->
                    {
                        final RemotePage page = store.get(ns, object, 0, 0, index, false);
                        final byte[] expected = model.get(key);
                        if (expected == null)
                        {
                            assertNull(page);
                        }
                        else
                        {
                            assertArrayEquals(expected, page.payload());
                            assertEquals(1, page.codecId());
                            assertEquals(4096, page.pageSize());
                        }
                    }
                    case 3 ->
                    {
                        assertTrue(store.delete(ns, object, 0, 0, index));
                        model.remove(key);
                    }
                    default ->
                    {
                        final int[] indexes = random.ints(8, 0, 32).toArray();
                        final boolean remove = random.nextInt(4) == 0;
                        final RemotePage[] pages = store.getAll(ns, object, 0, 0, indexes, remove);
                        for (int i = 0; i < indexes.length; i++)
                        {
                            final byte[] expected = model.get(object << 32 | indexes[i]);
                            if (expected == null)
                            {
                                assertNull(pages[i]);
                            }
                            else
                            {
                                assertArrayEquals(expected, pages[i].payload());
                            }
                        }
                        if (remove)
                        {
                            Arrays.stream(indexes).forEach(index2 -> model.remove(object << 32 | index2));
                        }
                    }
                }
            }
            assertEquals(0, store.failures(RemoteFailure.CORRUPT));
            assertTrue(store.latencyMicros(50) > 0);
        }
    }

    @Test
    void objectsAndNamespacesAreDroppedWithoutTouchingOthers()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final RemoteNamespace pool1 = RemoteNamespace.ofPrivatePool("drop", 1);
        final RemoteNamespace pool2 = RemoteNamespace.ofPrivatePool("drop", 2);
        final RemoteNamespace shared = RemoteNamespace.ofSharedPool(0x1234, 0x5678);
        try (RedisPageStore store = RedisPageStore.open(endpoint(redis.uri(), Durability.EPHEMERAL)))
        {
            for (int object = 0; object < 1_200; object++)
            {
                for (final RemoteNamespace ns : new RemoteNamespace[] {pool1, pool2, shared})
                {
                    store.put(ns, object, 1, 2, 0, 0, 4096, MemorySegment.ofArray(payload(random, 64)));
                    store.put(ns, object, 1, 2, 1, 0, 4096, MemorySegment.ofArray(payload(random, 64)));
                }
            }
            assertEquals(2, store.deleteObject(pool1, 5, 1, 2), store::toString);
            assertNull(store.get(pool1, 5, 1, 2, 0, false));
            assertNotNull(store.get(pool2, 5, 1, 2, 0, false));
            assertEquals(1_199, store.deleteNamespace(pool1));
            assertNull(store.get(pool1, 6, 1, 2, 1, false));
            assertNotNull(store.get(pool2, 6, 1, 2, 1, false));
            assertNotNull(store.get(shared, 6, 1, 2, 1, false));
            assertEquals(1_200, store.deleteNamespace(shared));
            assertEquals(1_200, store.deleteNamespace(pool2));
            assertTrue(store.usedMemoryBytes() > 0);
        }
    }

    @Test
    void aGarbageValueIsAMissAndCountedNeverWrongBytes()
    {
        final RemoteNamespace ns = RemoteNamespace.ofPrivatePool("garbage", 1);
        try (RedisPageStore store = RedisPageStore.open(endpoint(redis.uri(), Durability.EPHEMERAL)))
        {
            final byte[] page = payload(new SplittableRandom(1), 300);
            assertEquals(RedisPageStore.STORED, store.put(ns, 9, 9, 9, 3, 2, 4096, MemorySegment.ofArray(page)));
            assertEquals(RedisPageStore.STORED, store.put(ns, 9, 9, 9, 4, 2, 4096, MemorySegment.ofArray(page)));
            final String key = new String(ns.objectKey(9, 9, 9), java.nio.charset.StandardCharsets.US_ASCII);
            // one value with a flipped payload byte, one copied from another field: both must fail the checksum
            final RemotePage good = store.get(ns, 9, 9, 9, 3, false);
            assertArrayEquals(page, good.payload());
            assertEquals("0", redis.command("HSET", key, "3", "\u0001\u0002garbage-garbage"));
            assertNull(store.get(ns, 9, 9, 9, 3, false));
            assertEquals(1, store.failures(RemoteFailure.CORRUPT));
            assertEquals("0", redis.command("HEXISTS", key, "3"), "a corrupt value is deleted");
            assertEquals(RedisPageStore.STORED, store.put(ns, 9, 9, 9, 3, 2, 4096, MemorySegment.ofArray(page)));
            assertEquals("0", redis.command("EVAL", "redis.call('HSET', KEYS[1], '4', redis.call('HGET', KEYS[1], "
                + "'3')) return 0", "1", key));
            assertNotNull(store.get(ns, 9, 9, 9, 3, false));
            assertNull(store.get(ns, 9, 9, 9, 4, false));
            assertEquals(2, store.failures(RemoteFailure.CORRUPT));
        }
    }

    @Test
    void aPersistentEndpointRefusesARedisThatCouldDropPages()
    {
        try (LocalRedis cache = LocalRedis.builder().maxMemory(64L << 20, "allkeys-lru").start())
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> RedisPageStore.open(RedisEndpoint.of(cache.uri(), Durability.PERSISTENT)));
            assertTrue(ex.getMessage().contains("maxmemory-policy is allkeys-lru, not noeviction"), ex.getMessage());
            assertTrue(ex.getMessage().contains("appendonly is no, not yes"), ex.getMessage());
            try (RedisPageStore store = RedisPageStore.open(endpoint(cache.uri(), Durability.EPHEMERAL)))
            {
                assertNull(store.connectionProblem());
            }
        }
    }

    @Test
    void badArgumentsAreNamed()
    {
        assertThrows(IllegalArgumentException.class, () -> RedisEndpoint.of("http://x", Durability.EPHEMERAL));
        assertThrows(IllegalArgumentException.class, () -> RemoteNamespace.ofPrivatePool("a b", 1));
        assertThrows(IllegalArgumentException.class, () -> RedisEndpoint.of(redis.uri(), Durability.EPHEMERAL)
            .withCommandTimeout(java.time.Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> RedisPageStore.failureOf(0));
        assertSame(RemoteFailure.TIMEOUT, RedisPageStore.failureOf(-1));
    }
}
