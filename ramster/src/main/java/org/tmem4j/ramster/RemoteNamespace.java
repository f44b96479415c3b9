package org.tmem4j.ramster;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Where one pool's pages live in Redis: every key of the pool starts with this namespace's prefix.
 * <pre>
 *   private pool:  t4j:{n&lt;node&gt;.p&lt;pool&gt;.&lt;a&gt;.&lt;b&gt;.&lt;c&gt;}     one hash per tmem object, field = page index
 *   shared pool:   t4j:{s&lt;uuid&gt;.&lt;a&gt;.&lt;b&gt;.&lt;c&gt;}
 * </pre>
 * The braces are a Redis Cluster hash tag around the whole object name, so every page of an object is in one slot
 * and dropping an object is one {@code DEL}. Object ids are written in hex. A private pool is namespaced by the
 * node id (stable across restarts, chosen by configuration) and the pool's id; a shared pool (a cleancache
 * filesystem's uuid) is shared by every node that mounts it.
 *
 * @param prefix the bytes every key of the pool starts with, up to the object id.
 */
public record RemoteNamespace(String prefix)
{
    private static final HexFormat HEX = HexFormat.of();

    /**
     * Names a node's private pool.
     *
     * @param node the node id: {@code [A-Za-z0-9_-]}, 1 to 64 characters.
     * @param pool the pool id.
     * @return the namespace of a node's private pool.
     */
    public static RemoteNamespace ofPrivatePool(final String node, final int pool)
    {
        return new RemoteNamespace("t4j:{n" + requireNodeId(node) + ".p" + pool + ".");
    }

    /**
     * Names all private pools of a node, for dropping them together.
     *
     * @param node the node id.
     * @return the namespace of every private pool of a node.
     */
    public static RemoteNamespace ofNode(final String node)
    {
        return new RemoteNamespace("t4j:{n" + requireNodeId(node) + ".");
    }

    /**
     * Names a shared pool by its uuid.
     *
     * @param uuidHi high 64 bits of the shared pool's uuid.
     * @param uuidLo low 64 bits.
     * @return the namespace of a shared pool, the same on every node.
     */
    public static RemoteNamespace ofSharedPool(final long uuidHi, final long uuidLo)
    {
        return new RemoteNamespace("t4j:{s" + HEX.toHexDigits(uuidHi) + HEX.toHexDigits(uuidLo) + ".");
    }

    /**
     * Checks a node id.
     *
     * @param node a node id.
     * @return the node id.
     * @throws IllegalArgumentException if it is not 1 to 64 characters of {@code [A-Za-z0-9_-]}.
     */
    public static String requireNodeId(final String node)
    {
        if (node == null || !node.matches("[A-Za-z0-9_-]{1,64}"))
        {
            throw new IllegalArgumentException("node id must be 1 to 64 characters of [A-Za-z0-9_-], was "
                + (node == null ? "null" : "'" + node + "'"));
        }
        return node;
    }

    /**
     * Names an object's hash; the hash tag keeps an object in one Cluster slot.
     *
     * @param a object id, first word.
     * @param b object id, second word.
     * @param c object id, third word.
     * @return the key of the object's hash.
     */
    public byte[] objectKey(final long a, final long b, final long c)
    {
        return (prefix + HEX.toHexDigits(a) + "." + HEX.toHexDigits(b) + "." + HEX.toHexDigits(c) + "}")
            .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * {@return a {@code SCAN MATCH} pattern for every key of the namespace}
     */
    String scanPattern()
    {
        return prefix.replace("{", "\\{") + "*";
    }

    /**
     * @param index a page index.
     * @return the page's field within its object's hash.
     */
    static byte[] field(final int index)
    {
        return Integer.toString(index).getBytes(StandardCharsets.US_ASCII);
    }
}
