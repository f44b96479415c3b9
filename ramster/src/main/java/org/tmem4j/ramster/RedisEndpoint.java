package org.tmem4j.ramster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.RedisURI;

/**
 * How to reach one Redis (standalone or Cluster) and how long to wait for it.
 * <p>
 * URIs: {@code redis://[user:password@]host:port}, {@code rediss://...} (TLS), and the Cluster form
 * {@code redis+cluster://host:port[,host:port...]} (or {@code rediss+cluster://}) listing seed nodes. A user and
 * password given here override those in the URI; a password without a user authenticates as {@code default}.
 *
 * @param uri            where Redis is.
 * @param user           the ACL user, or {@code null}.
 * @param password       the password, or {@code null}.
 * @param durability     what the endpoint keeps: ephemeral pages may be dropped, persistent ones never.
 * @param commandTimeout the longest a caller waits for one operation (one round trip or one batch).
 * @param connectTimeout the longest a connection attempt takes.
 * @param probeInterval  how long the tier is bypassed after Redis failed before one operation probes it again.
 * @param replicas       how many replicas must have a write before it counts as acknowledged ({@code WAIT}, sent
 *                       to the master that took it), 0 for the master alone; see {@link RedisPageStore#put}.
 */
public record RedisEndpoint(String uri, String user, String password, Durability durability,
    Duration commandTimeout, Duration connectTimeout, Duration probeInterval, int replicas)
{
    private static final String CLUSTER = "+cluster://";

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException naming the setting that is wrong.
     */
    public RedisEndpoint
    {
        if (uri == null || !(uri.startsWith("redis://") || uri.startsWith("rediss://")
            || uri.startsWith("redis" + CLUSTER) || uri.startsWith("rediss" + CLUSTER)))
        {
            throw new IllegalArgumentException("Redis uri must start with redis://, rediss://, redis+cluster:// or "
                + "rediss+cluster://, was " + (uri == null ? "null" : "'" + uri + "'"));
        }
        if (durability == null)
        {
            throw new IllegalArgumentException("durability is null");
        }
        requirePositive("commandTimeout", commandTimeout);
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("probeInterval", probeInterval);
        if (replicas < 0)
        {
            throw new IllegalArgumentException("replicas must be >= 0, was " + replicas);
        }
        if (user != null && password == null)
        {
            throw new IllegalArgumentException("Redis user '" + user + "' needs a password");
        }
    }

    /**
     * Describes an endpoint with the default timeouts.
     *
     * @param uri        where Redis is.
     * @param durability what the endpoint keeps.
     * @return an endpoint with no credentials beyond the URI's, a 250 ms command timeout, a 2 s connect timeout and
     * a 1 s probe interval.
     */
    public static RedisEndpoint of(final String uri, final Durability durability)
    {
        return new RedisEndpoint(uri, null, null, durability, Duration.ofMillis(250), Duration.ofSeconds(2),
            Duration.ofSeconds(1), 0);
    }

    /**
     * Sets the ACL credentials.
     *
     * @param user     the ACL user, or {@code null} for {@code default}.
     * @param password the password.
     * @return this endpoint with these credentials.
     */
    public RedisEndpoint withCredentials(final String user, final String password)
    {
        return new RedisEndpoint(uri, user, password, durability, commandTimeout, connectTimeout, probeInterval,
            replicas);
    }

    /**
     * Sets the command timeout.
     *
     * @param commandTimeout the longest a caller waits for one operation.
     * @return this endpoint with that timeout.
     */
    public RedisEndpoint withCommandTimeout(final Duration commandTimeout)
    {
        return new RedisEndpoint(uri, user, password, durability, commandTimeout, connectTimeout, probeInterval,
            replicas);
    }

    /**
     * Sets how long the circuit breaker bypasses Redis before a probe.
     *
     * @param probeInterval how long the tier is bypassed after a failure.
     * @return this endpoint with that interval.
     */
    public RedisEndpoint withProbeInterval(final Duration probeInterval)
    {
        return new RedisEndpoint(uri, user, password, durability, commandTimeout, connectTimeout, probeInterval,
            replicas);
    }

    /**
     * Sets how many replicas must acknowledge each write.
     *
     * @param replicas 0 (the master's acknowledgement suffices) or more.
     * @return this endpoint with that requirement.
     */
    public RedisEndpoint withReplicas(final int replicas)
    {
        return new RedisEndpoint(uri, user, password, durability, commandTimeout, connectTimeout, probeInterval,
            replicas);
    }

    /**
     * {@return whether the URI is the Cluster form}
     */
    public boolean isCluster()
    {
        return uri.contains(CLUSTER);
    }

    /**
     * {@return the URI without any password, for messages}
     */
    public String redactedUri()
    {
        return uri.replaceAll("//[^@/]*@", "//***@");
    }

    /**
     * {@return the Lettuce URIs: one, or a Cluster's seed nodes}
     */
    List<RedisURI> redisUris()
    {
        final List<String> plain = new ArrayList<>();
        if (isCluster())
        {
            final String scheme = uri.substring(0, uri.indexOf('+'));
            final String rest = uri.substring(uri.indexOf(CLUSTER) + CLUSTER.length());
            final int at = rest.lastIndexOf('@');
            final String userInfo = at < 0 ? "" : rest.substring(0, at + 1);
            for (final String host : rest.substring(at + 1).split(","))
            {
                plain.add(scheme + "://" + userInfo + host);
            }
        }
        else
        {
            plain.add(uri);
        }
        final List<RedisURI> uris = new ArrayList<>();
        for (final String each : plain)
        {
            final RedisURI redisUri;
            try
            {
                redisUri = RedisURI.create(each);
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalArgumentException("Redis uri '" + redactedUri() + "' is malformed: "
                    + ex.getMessage(), ex);
            }
            if (password != null)
            {
                redisUri.setCredentialsProvider(io.lettuce.core.RedisCredentialsProvider.from(
                    () -> io.lettuce.core.RedisCredentials.just(user, password)));
            }
            redisUri.setTimeout(commandTimeout);
            uris.add(redisUri);
        }
        return uris;
    }

    @Override
    public String toString()
    {
        return "RedisEndpoint{" + redactedUri() + ", " + durability + ", user=" + user + ", timeout="
            + commandTimeout.toMillis() + " ms" + (replicas > 0 ? ", replicas=" + replicas : "") + "}";
    }

    private static void requirePositive(final String name, final Duration value)
    {
        if (value == null || value.isNegative() || value.isZero())
        {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
        }
    }
}
