package org.tmem4j.ramster;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tmem4j.ramster.RedisPageStoreTest.endpoint;

/**
 * A persistent store on a Redis Cluster of 3 masters with one replica each (AOF {@code appendfsync always} on every
 * node), whose puts count as acknowledged only once a replica has them too ({@code ramster.persistent.replicas=1}:
 * {@code WAIT 1} on the master's connection). Mid-traffic, a replica takes over with {@code CLUSTER FAILOVER}, then a
 * master is killed with {@code -9}, its replica is promoted by the cluster, and the dead node comes back as the new
 * master's replica: no get returns wrong bytes, and every acknowledged page reads back intact from the new masters.
 */
class RedisFailoverTest
{
    @Test
    void masterFailoversMidTrafficLoseNoPageAReplicaAcknowledged() throws Exception
    {
        final List<LocalRedis> nodes = RedisFixtures.startCluster(3, 1);
        final RemoteNamespace pool = RemoteNamespace.ofPrivatePool("failover", 1);
        try (RedisPageStore store = RedisPageStore.open(endpoint(RedisFixtures.clusterUri(nodes),
            Durability.PERSISTENT).withReplicas(1).withCommandTimeout(Duration.ofSeconds(2))
            .withProbeInterval(Duration.ofMillis(200))))
        {
            final PageTraffic traffic = new PageTraffic(store, pool);
            traffic.awaitAcknowledged("traffic", 500);

            // a coordinated failover: the replica catches up, then takes over its master's slots
            final LocalRedis replica = nodes.stream()
                .filter(node -> RedisFixtures.replicationInfo(node, "role").equals("slave")).findFirst().orElseThrow();
            assertEquals("OK", replica.command("CLUSTER", "FAILOVER"));
            RedisFaultsTest.await("the replica becomes master",
                () -> RedisFixtures.replicationInfo(replica, "role").equals("master"));
            traffic.awaitAcknowledged("writes after CLUSTER FAILOVER", 300);

            // an uncoordinated one: a master dies, the cluster promotes its replica after the node timeout
            final LocalRedis victim = nodes.stream().filter(node -> node != replica
                && RedisFixtures.replicationInfo(node, "role").equals("master")).findFirst().orElseThrow();
            final LocalRedis heir = nodes.stream().filter(node -> RedisFixtures.replicationInfo(node, "master_port")
                .equals(Integer.toString(victim.port()))).findFirst().orElseThrow();
            traffic.awaitAcknowledged("writes before the kill", 100);
            victim.kill();
            RedisFaultsTest.await("the killed master's replica is promoted",
                () -> RedisFixtures.replicationInfo(heir, "role").equals("master"));
            RedisFixtures.awaitClusterOk(heir);
            // the heir has no replica: its pages are refused (UNREPLICATED) until the dead node is back, as its replica
            victim.start();
            RedisFaultsTest.await("the restarted node rejoins as the heir's replica",
                () -> RedisFixtures.replicationInfo(victim, "role").equals("slave")
                && RedisFixtures.replicationInfo(victim, "master_link_status").equals("up"));
            traffic.awaitAcknowledged("writes after the promotion", 300);

            final int verified = traffic.stopAndVerify();
            assertTrue(verified > 200, verified + " acknowledged pages");
            assertEquals(0, store.failures(RemoteFailure.CORRUPT));
            System.out.println("FAILOVER " + verified + " acknowledged pages intact after CLUSTER FAILOVER and kill -9 "
                + "of a master; failures: timeout " + store.failures(RemoteFailure.TIMEOUT) + ", unavailable "
                + store.failures(RemoteFailure.UNAVAILABLE) + ", unreplicated "
                + store.failures(RemoteFailure.UNREPLICATED) + ", bypassed " + store.failures(RemoteFailure.BYPASSED));
        }
        finally
        {
            nodes.forEach(LocalRedis::close);
        }
    }
}
