package org.tmem4j.ramster;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tmem4j.ramster.RedisFaultsTest.page;
import static org.tmem4j.ramster.RedisPageStoreTest.endpoint;

/**
 * The store on a 3-master Redis Cluster made by {@code redis-cli --cluster create}: objects spread over the masters,
 * pools dropped by scanning every master, and slots migrated ({@code redis-cli --cluster reshard}) mid-traffic
 * without a wrong byte or a lost acknowledged page.
 */
class RedisClusterTest
{
    private static List<LocalRedis> nodes;

    @BeforeAll
    static void startCluster()
    {
        nodes = RedisFixtures.startCluster(3);
    }

    @AfterAll
    static void stopCluster()
    {
        nodes.forEach(LocalRedis::close);
    }

    @Test
    void pagesSpreadOverTheMastersAndAPoolIsDroppedFromAllOfThem()
    {
        final RemoteNamespace pool = RemoteNamespace.ofPrivatePool("cluster", 1);
        try (RedisPageStore store = RedisPageStore.open(endpoint(RedisFixtures.clusterUri(nodes),
            Durability.PERSISTENT)))
        {
            for (int index = 0; index < 3_000; index++)
            {
                assertEquals(RedisPageStore.STORED, store.put(pool, index / 10, 0, 0, index, 0, 4096,
                    MemorySegment.ofArray(page(index, 0))));
            }
            for (final LocalRedis node : nodes)
            {
                assertTrue(Long.parseLong(node.command("DBSIZE")) > 0, "every master holds objects");
            }
            final RemotePage[] batch = store.getAll(pool, 42, 0, 0, new int[] {420, 421, 429, 430}, false);
            assertArrayEquals(page(420, 0), batch[0].payload());
            assertArrayEquals(page(429, 0), batch[2].payload());
            assertNull(batch[3], "page 430 is in object 43");
            assertTrue(store.usedMemoryBytes() > 3_000 * 200);
            assertEquals(300, store.deleteNamespace(pool));
            for (final LocalRedis node : nodes)
            {
                assertEquals("0", node.command("DBSIZE"));
            }
        }
    }

    @Test
    void reshardingMidTrafficLosesNoAcknowledgedPage() throws Exception
    {
        final RemoteNamespace pool = RemoteNamespace.ofPrivatePool("reshard", 1);
        try (RedisPageStore store = RedisPageStore.open(endpoint(RedisFixtures.clusterUri(nodes),
            Durability.PERSISTENT)))
        {
            final PageTraffic traffic = new PageTraffic(store, pool);
            traffic.awaitAcknowledged("traffic", 1_000);
            final String from = nodes.get(0).command("CLUSTER", "MYID");
            final String to = nodes.get(1).command("CLUSTER", "MYID");
            RedisFixtures.run(List.of("redis-cli", "--cluster", "reshard", "127.0.0.1:" + nodes.get(0).port(),
                "--cluster-from", from, "--cluster-to", to, "--cluster-slots", "2000", "--cluster-yes"), 120);
            RedisFixtures.awaitSlotsAgreed(nodes.get(0));
            for (final LocalRedis node : nodes)
            {
                RedisFixtures.awaitClusterOk(node);
            }
            assertTrue(traffic.stopAndVerify() > 1_000);
            assertEquals(0, store.failures(RemoteFailure.CORRUPT));
            store.deleteNamespace(pool);
        }
    }
}
