package org.tmem4j.ramster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ramster backend's settings: the keys {@code tmem4j.frontends.ramster.*} of the frontends configuration.
 * <table>
 *   <caption>keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code ephemeral.uri}</td><td>none</td><td>Redis for cleancache pages; none keeps them local</td></tr>
 *   <tr><td>{@code persistent.uri}</td><td>none</td><td>Redis for frontswap pages (noeviction, AOF always)</td></tr>
 *   <tr><td>{@code user}, {@code password}</td><td>none</td><td>ACL credentials for both</td></tr>
 *   <tr><td>{@code node}</td><td>the host name</td><td>this node's id, stable across restarts</td></tr>
 *   <tr><td>{@code timeoutMs}</td><td>250</td><td>the longest one remote operation waits</td></tr>
 *   <tr><td>{@code connectTimeoutMs}</td><td>2000</td><td>the longest a connection attempt takes</td></tr>
 *   <tr><td>{@code probeIntervalMs}</td><td>1000</td><td>how long Redis is bypassed after a failure</td></tr>
 *   <tr><td>{@code acceptThresholdPercent}</td><td>90</td><td>once full, pages go to Redis until usage is
 *   under this share of the budget</td></tr>
 *   <tr><td>{@code persistent.replicas}</td><td>0</td><td>replicas that must have a frontswap page ({@code WAIT})
 *   before it leaves local memory, 0 to 16</td></tr>
 * </table>
 *
 * @param ephemeralUri           the ephemeral endpoint's URI, or {@code null}.
 * @param persistentUri          the persistent endpoint's URI, or {@code null}.
 * @param user                   the ACL user, or {@code null}.
 * @param password               the password, or {@code null}.
 * @param node                   the node id.
 * @param timeout                the command timeout.
 * @param connectTimeout         the connect timeout.
 * @param probeInterval          the circuit breaker's probe interval.
 * @param acceptThresholdPercent zcache's accept threshold.
 * @param persistentReplicas     replicas that must acknowledge a persistent page.
 */
public record RamsterSettings(String ephemeralUri, String persistentUri, String user, String password, String node,
    Duration timeout, Duration connectTimeout, Duration probeInterval, int acceptThresholdPercent,
    int persistentReplicas)
{
    private static final int MAX_REPLICAS = 16;
    private static final List<String> KEYS = List.of("ephemeral.uri", "persistent.uri", "user", "password", "node",
        "timeoutMs", "connectTimeoutMs", "probeIntervalMs", "acceptThresholdPercent", "persistent.replicas");

    /**
     * Reads the ramster settings.
     *
     * @param settings the keys under {@code tmem4j.frontends.ramster.}, without that prefix.
     * @return the settings.
     * @throws IllegalArgumentException naming an unknown key or a value that is not allowed.
     */
    public static RamsterSettings from(final Map<String, String> settings)
    {
        for (final String key : settings.keySet())
        {
            if (!KEYS.contains(key))
            {
                throw new IllegalArgumentException("unknown key tmem4j.frontends.ramster." + key
                    + "; the ramster keys are " + String.join(", ", KEYS));
            }
        }
        final Map<String, String> s = new TreeMap<>(settings);
        final RamsterSettings parsed = new RamsterSettings(s.get("ephemeral.uri"), s.get("persistent.uri"),
            s.get("user"), s.get("password"), s.getOrDefault("node", defaultNode()),
            Duration.ofMillis(positive(s, "timeoutMs", 250)), Duration.ofMillis(positive(s, "connectTimeoutMs", 2000)),
            Duration.ofMillis(positive(s, "probeIntervalMs", 1000)), (int)positive(s, "acceptThresholdPercent", 90),
            replicas(s.get("persistent.replicas")));
        if (parsed.acceptThresholdPercent > 100)
        {
            throw new IllegalArgumentException("tmem4j.frontends.ramster.acceptThresholdPercent="
                + parsed.acceptThresholdPercent + " is not allowed; allowed: 1 to 100");
        }
        RemoteNamespace.requireNodeId(parsed.node);
        for (final String uri : new String[] {parsed.ephemeralUri, parsed.persistentUri})
        {
            if (uri != null)
            {
                RedisEndpoint.of(uri, Durability.EPHEMERAL);
            }
        }
        return parsed;
    }

    /**
     * Looks up the endpoint of one durability class.
     *
     * @param durability which endpoint.
     * @return its settings, or {@code null} if it has no URI.
     */
    public RedisEndpoint endpoint(final Durability durability)
    {
        final String uri = durability == Durability.PERSISTENT ? persistentUri : ephemeralUri;
        if (uri == null)
        {
            return null;
        }
        return new RedisEndpoint(uri, user, password, durability, timeout, connectTimeout, probeInterval,
            durability == Durability.PERSISTENT ? persistentReplicas : 0);
    }

    @Override
    public String toString()
    {
        return "RamsterSettings{ephemeral=" + redact(ephemeralUri) + ", persistent=" + redact(persistentUri)
            + ", user=" + user + ", node=" + node + ", timeout=" + timeout.toMillis() + " ms}";
    }

    private static String redact(final String uri)
    {
        return uri == null ? null : uri.replaceAll("//[^@/]*@", "//***@");
    }

    private static long positive(final Map<String, String> settings, final String key, final long otherwise)
    {
        final String value = settings.get(key);
        if (value == null)
        {
            return otherwise;
        }
        try
        {
            final long parsed = Long.parseLong(value.trim());
            if (parsed >= 1)
            {
                return parsed;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // reported below with the key
        }
        throw new IllegalArgumentException("tmem4j.frontends.ramster." + key + "=" + value
            + " is not allowed; allowed: a whole number, at least 1");
    }

    private static int replicas(final String value)
    {
        if (value == null)
        {
            return 0;
        }
        try
        {
            final int parsed = Integer.parseInt(value.trim());
            if (parsed >= 0 && parsed <= MAX_REPLICAS)
            {
                return parsed;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // reported below with the key
        }
        throw new IllegalArgumentException("tmem4j.frontends.ramster.persistent.replicas=" + value
            + " is not allowed; allowed: 0 to " + MAX_REPLICAS);
    }

    private static String defaultNode()
    {
        try
        {
            final String host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_-]", "-");
            return host.isEmpty() ? "node" : host.substring(0, Math.min(64, host.length()));
        }
        catch (final UnknownHostException ex)
        {
            return "node";
        }
    }
}
