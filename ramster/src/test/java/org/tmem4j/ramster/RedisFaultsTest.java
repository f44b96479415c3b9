package org.tmem4j.ramster;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tmem4j.ramster.RedisPageStoreTest.endpoint;

/**
 * The faults of issue 15 §4, each against a real redis-server: down when the store opens, killed with SIGKILL
 * mid-traffic and restored from its AOF, restarted empty, full under noeviction, paused, wrong credentials, an ACL
 * that denies writes.
 */
class RedisFaultsTest
{
    /** Failed puts in a row after which the mid-traffic writer stops by itself. */
    private static final int MAX_FAILED_IN_A_ROW = 100;

    private static final RemoteNamespace NS = RemoteNamespace.ofPrivatePool("faults", 0);

    static byte[] page(final int index, final int version)
    {
        final byte[] bytes = new byte[200 + index % 300];
        new SplittableRandom((long)index << 20 | version).nextBytes(bytes);
        return bytes;
    }

    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("not within 30 s: " + what);
            }
            RedisFixtures.sleep(20);
        }
    }

    static RedisEndpoint fastProbe(final RedisEndpoint endpoint)
    {
        return endpoint.withProbeInterval(Duration.ofMillis(100));
    }

    @Test
    void downWhenOpenedStartsBypassedAndConnectsOnceRedisIsUp()
    {
        RedisFixtures.ensureInstalled();
        try (LocalRedis redis = LocalRedis.builder().durable().maxMemory(64L << 20, "noeviction").start())
        {
            redis.kill();
            try (RedisPageStore store = RedisPageStore.open(fastProbe(endpoint(redis.uri(), Durability.PERSISTENT))))
            {
                assertTrue(store.isBypassed());
                assertTrue(store.connectionProblem().contains("is not reachable"), store.connectionProblem());
                final int code = store.put(NS, 1, 0, 0, 1, 0, 4096, MemorySegment.ofArray(page(1, 0)));
                assertSame(RemoteFailure.BYPASSED, RedisPageStore.failureOf(code));
                assertSame(RedisPageStore.FAILED, store.get(NS, 1, 0, 0, 1, false));
                redis.start();
                await("store reconnects", () -> store.put(NS, 1, 0, 0, 1, 0, 4096,
                    MemorySegment.ofArray(page(1, 0))) == RedisPageStore.STORED);
                assertArrayEquals(page(1, 0), store.get(NS, 1, 0, 0, 1, false).payload());
                assertNull(store.connectionProblem());
            }
        }
    }

    @Test
    void killedMidTrafficLosesNoAcknowledgedPersistentPage() throws Exception
    {
        RedisFixtures.ensureInstalled();
        try (LocalRedis redis = LocalRedis.builder().durable().maxMemory(256L << 20, "noeviction").start();
            RedisPageStore store = RedisPageStore.open(fastProbe(endpoint(redis.uri(), Durability.PERSISTENT))))
        {
            final Map<Integer, Integer> acknowledged = new ConcurrentHashMap<>();
            final Map<Integer, Integer> attempted = new ConcurrentHashMap<>();
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread writer = Thread.ofPlatform().start(() ->
            {
                // a writer that went on failing would forget every acknowledged page (a failed put un-acknowledges
                // its index) before the main thread, on a loaded machine, got round to stopping it: the check below
                // then had nothing left to check
                int failedInARow = 0;
                for (int i = 0; !stop.get() && failedInARow < MAX_FAILED_IN_A_ROW; i++)
                {
                    final int index = i % 4_000;
                    final int version = i / 4_000;
                    attempted.put(index, version);
                    if (store.put(NS, index / 256, 0, 0, index, 0, 4096, MemorySegment.ofArray(page(index, version)))
                        == RedisPageStore.STORED)
                    {
                        acknowledged.put(index, version);
                        failedInARow = 0;
                    }
                    else
                    {
                        // a failed put may or may not have reached Redis: either version may come back
                        acknowledged.remove(index);
                        failedInARow++;
                    }
                }
            });
            await("traffic", () -> acknowledged.size() > 1_000 + MAX_FAILED_IN_A_ROW);
            // counted before the kill: the writer may fail its hundred puts in a row and stop before this line ran
            final long failuresBefore = store.failures(RemoteFailure.UNAVAILABLE) + store.failures(RemoteFailure.BYPASSED);
            redis.kill();
            await("writer sees the failure", () -> store.failures(RemoteFailure.UNAVAILABLE)
                + store.failures(RemoteFailure.BYPASSED) > failuresBefore);
            stop.set(true);
            writer.join(30_000);
            redis.start();
            await("store reconnects", () -> store.get(NS, 0, 0, 0, 0, false) != RedisPageStore.FAILED);
            int checked = 0;
            for (final Map.Entry<Integer, Integer> entry : attempted.entrySet())
            {
                final int index = entry.getKey();
                final RemotePage remote = store.get(NS, index / 256, 0, 0, index, false);
                final Integer version = acknowledged.get(index);
                if (version != null)
                {
                    assertArrayEquals(page(index, version), remote.payload(), "acknowledged page " + index);
                    checked++;
                }
                else if (remote != null)
                {
                    final int last = entry.getValue();
                    assertTrue(java.util.Arrays.equals(page(index, last), remote.payload())
                        || last > 0 && java.util.Arrays.equals(page(index, last - 1), remote.payload()),
                        "page " + index + " is one of its versions");
                }
            }
            assertTrue(checked > 1_000, "checked " + checked);
            assertEquals(0, store.failures(RemoteFailure.CORRUPT));
        }
    }

    @Test
    void restartedEmptyEphemeralRedisIsAMiss()
    {
        RedisFixtures.ensureInstalled();
        try (LocalRedis redis = LocalRedis.builder().maxMemory(64L << 20, "allkeys-lru").start();
            RedisPageStore store = RedisPageStore.open(fastProbe(endpoint(redis.uri(), Durability.EPHEMERAL))))
        {
            for (int index = 0; index < 100; index++)
            {
                assertEquals(RedisPageStore.STORED, store.put(NS, 7, 0, 0, index, 0, 4096,
                    MemorySegment.ofArray(page(index, 0))));
            }
            redis.kill();
            redis.start();
            await("store reconnects", () -> store.get(NS, 7, 0, 0, 0, false) != RedisPageStore.FAILED);
            for (int index = 0; index < 100; index++)
            {
                assertNull(store.get(NS, 7, 0, 0, index, false));
            }
        }
    }

    @Test
    void fullUnderNoevictionRefusesPutsAndKeepsEveryStoredPage()
    {
        RedisFixtures.ensureInstalled();
        try (LocalRedis redis = LocalRedis.builder().durable().maxMemory(3L << 20, "noeviction").start();
            RedisPageStore store = RedisPageStore.open(endpoint(redis.uri(), Durability.PERSISTENT)))
        {
            int stored = 0;
            int code;
            while ((code = store.put(NS, stored / 256, 0, 0, stored, 0, 4096,
                MemorySegment.ofArray(new byte[2048]))) == RedisPageStore.STORED)
            {
                stored++;
            }
            assertSame(RemoteFailure.FULL, RedisPageStore.failureOf(code));
            assertEquals(1, store.failures(RemoteFailure.FULL));
            assertTrue(!store.isBypassed(), "a full Redis is up: the breaker stays closed");
            for (int index = 0; index < stored; index++)
            {
                assertEquals(2048, store.get(NS, index / 256, 0, 0, index, false).payload().length);
            }
        }
    }

    @Test
    void aPausedRedisCostsOneTimeoutThenIsBypassedUntilAProbeSucceeds()
    {
        RedisFixtures.ensureInstalled();
        try (LocalRedis redis = LocalRedis.builder().maxMemory(64L << 20, "allkeys-lru").start();
            RedisPageStore store = RedisPageStore.open(RedisEndpoint.of(redis.uri(), Durability.EPHEMERAL)
                .withCommandTimeout(Duration.ofMillis(200)).withProbeInterval(Duration.ofMillis(300))))
        {
            assertEquals(RedisPageStore.STORED, store.put(NS, 3, 0, 0, 0, 0, 4096,
                MemorySegment.ofArray(page(0, 0))));
            assertEquals("OK", redis.command("CLIENT", "PAUSE", "2000", "ALL"));
            assertSame(RemoteFailure.TIMEOUT, RedisPageStore.failureOf(store.put(NS, 3, 0, 0, 1, 0, 4096,
                MemorySegment.ofArray(page(1, 0)))));
            assertTrue(store.isBypassed());
            assertSame(RemoteFailure.BYPASSED, RedisPageStore.failureOf(store.put(NS, 3, 0, 0, 2, 0, 4096,
                MemorySegment.ofArray(page(2, 0)))));
            await("the probe closes the breaker", () -> store.put(NS, 3, 0, 0, 2, 0, 4096,
                MemorySegment.ofArray(page(2, 0))) == RedisPageStore.STORED);
            assertArrayEquals(page(2, 0), store.get(NS, 3, 0, 0, 2, false).payload());
            assertTrue(store.failures(RemoteFailure.TIMEOUT) >= 1, "each probe during the pause waits once");
        }
    }

    @Test
    void wrongPasswordIsOneClearErrorAndAnAclDenialIsCounted()
    {
        RedisFixtures.ensureInstalled();
        try (LocalRedis redis = LocalRedis.builder().maxMemory(64L << 20, "allkeys-lru").start())
        {
            assertEquals("OK", redis.command("ACL", "SETUSER", "tier", "on", ">secret", "~t4j:*", "+@all"));
            assertEquals("OK", redis.command("ACL", "SETUSER", "reader", "on", ">secret", "~t4j:*", "+@read",
                "+@connection"));
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> RedisPageStore.open(
                endpoint(redis.uri(), Durability.EPHEMERAL).withCredentials("tier", "wrong")));
            assertTrue(ex.getMessage().contains("refused the credentials of user 'tier'"), ex.getMessage());
            assertTrue(ex.getMessage().contains("WRONGPASS"), ex.getMessage());
            try (RedisPageStore store = RedisPageStore.open(endpoint(redis.uri(), Durability.EPHEMERAL)
                .withCredentials("tier", "secret")))
            {
                assertEquals(RedisPageStore.STORED, store.put(NS, 1, 0, 0, 0, 0, 4096,
                    MemorySegment.ofArray(page(0, 0))));
            }
            try (RedisPageStore store = RedisPageStore.open(endpoint(redis.uri(), Durability.EPHEMERAL)
                .withCredentials("reader", "secret")))
            {
                assertSame(RemoteFailure.DENIED, RedisPageStore.failureOf(store.put(NS, 1, 0, 0, 1, 0, 4096,
                    MemorySegment.ofArray(page(1, 0)))));
                assertEquals(1, store.failures(RemoteFailure.DENIED));
                assertArrayEquals(page(0, 0), store.get(NS, 1, 0, 0, 0, false).payload());
            }
        }
    }

    /**
     * Lettuce now and then reports a refused handshake as a closed connection (more often on a loaded machine): the
     * store must still refuse a wrong password, standalone or Cluster, not start bypassed and retry it forever; a
     * Redis that takes the credentials but whose handshake failed is retried as before.
     */
    @Test
    void aWrongPasswordIsRefusedEvenWhenTheHandshakeEndsInAClosedConnection() throws Exception
    {
        for (final String scheme : List.of("redis://", "redis+cluster://"))
        {
            try (HelloClosingServer wrongPassword = new HelloClosingServer(
                "-WRONGPASS invalid username-password pair or user is disabled."))
            {
                final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> RedisPageStore.open(
                    endpoint(scheme + wrongPassword.address(), Durability.EPHEMERAL).withCredentials("tier",
                        "wrong")));
                assertTrue(ex.getMessage().contains("refused the credentials of user 'tier': WRONGPASS"),
                    ex.getMessage());
            }
            try (HelloClosingServer rightPassword = new HelloClosingServer("+OK");
                RedisPageStore store = RedisPageStore.open(endpoint(scheme + rightPassword.address(),
                    Durability.EPHEMERAL).withCredentials("tier", "secret")))
            {
                assertTrue(store.isBypassed(), scheme);
                assertTrue(store.connectionProblem().contains("is not reachable"), store.connectionProblem());
            }
        }
    }
}
