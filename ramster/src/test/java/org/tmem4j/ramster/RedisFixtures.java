package org.tmem4j.ramster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real Redis for the tests: installs {@code redis-server} with {@code .ci/install-redis} when it is missing, and
 * builds a 3-master Cluster of {@link LocalRedis} nodes with {@code redis-cli --cluster create}.
 */
final class RedisFixtures
{
    private RedisFixtures()
    {
    }

    /**
     * Runs {@code .ci/install-redis} (found above the working directory) unless redis-server is on the PATH.
     */
    static synchronized void ensureInstalled()
    {
        if (onPath("redis-server") && onPath("redis-cli"))
        {
            return;
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isExecutable(dir.resolve(".ci/install-redis")))
        {
            dir = dir.getParent();
        }
        if (dir == null)
        {
            throw new IllegalStateException("redis-server is not on the PATH and .ci/install-redis was not found");
        }
        run(List.of(dir.resolve(".ci/install-redis").toString()), 600);
    }

    /**
     * @param masters how many master nodes.
     * @return running cluster nodes with every slot assigned, the cluster state ok on each.
     */
    static List<LocalRedis> startCluster(final int masters)
    {
        return startCluster(masters, 0);
    }

    /**
     * @param masters  how many master nodes.
     * @param replicas how many replicas each master gets ({@code --cluster-replicas}).
     * @return running cluster nodes with every slot assigned, the cluster state ok on each.
     */
    static List<LocalRedis> startCluster(final int masters, final int replicas)
    {
        ensureInstalled();
        final List<LocalRedis> nodes = new ArrayList<>();
        try
        {
            final List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (int i = 0; i < masters * (1 + replicas); i++)
            {
                final LocalRedis node = LocalRedis.builder().cluster().durable().maxMemory(256L << 20, "noeviction")
                    .start();
                nodes.add(node);
                command.add("127.0.0.1:" + node.port());
            }
            command.addAll(List.of("--cluster-replicas", Integer.toString(replicas), "--cluster-yes"));
            run(command, 60);
            for (final LocalRedis node : nodes)
            {
                awaitClusterOk(node);
            }
            awaitSlotsAgreed(nodes.getFirst());
            return nodes;
        }
        catch (final RuntimeException ex)
        {
            nodes.forEach(LocalRedis::close);
            throw ex;
        }
    }

    /**
     * @return the node's line {@code name:value} of {@code INFO replication}, e.g. {@code role} or
     * {@code master_port}.
     */
    static String replicationInfo(final LocalRedis node, final String name)
    {
        for (final String line : node.command("INFO", "replication").split("\r?\n"))
        {
            if (line.startsWith(name + ":"))
            {
                return line.substring(name.length() + 1).trim();
            }
        }
        return "";
    }

    /**
     * @param nodes cluster nodes.
     * @return the Cluster-form URI listing them.
     */
    static String clusterUri(final List<LocalRedis> nodes)
    {
        return "redis+cluster://" + String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.port()).toList());
    }

    static void awaitClusterOk(final LocalRedis node)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            if (node.command("CLUSTER", "INFO").contains("cluster_state:ok"))
            {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException("cluster on port " + node.port() + " did not become ok in 30 s");
    }

    /**
     * Waits until {@code redis-cli --cluster check} finds every slot covered and every node agreeing on them.
     */
    static void awaitSlotsAgreed(final LocalRedis node)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String output = "";
        while (System.nanoTime() < deadline)
        {
            try
            {
                output = run(List.of("redis-cli", "--cluster", "check", "127.0.0.1:" + node.port()), 30);
                if (output.contains("All nodes agree about slots configuration")
                    && output.contains("All 16384 slots covered") && !output.contains("[WARNING]"))
                {
                    return;
                }
            }
            catch (final IllegalStateException ex)
            {
                output = ex.getMessage();
            }
            sleep(100);
        }
        throw new IllegalStateException("cluster slots not agreed in 30 s: " + output);
    }

    static String run(final List<String> command, final int timeoutSeconds)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in " + timeoutSeconds + " s");
            }
            final String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
            {
                throw new IllegalStateException(command + " exited with " + process.exitValue() + ": " + text);
            }
            return text;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + command, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, ex);
        }
    }

    static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static boolean onPath(final String program)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            if (Files.isExecutable(Path.of(dir, program)))
            {
                return true;
            }
        }
        return false;
    }
}
