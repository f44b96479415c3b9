package org.tmem4j.tmem;

/**
 * The slot of one page in a pool that keeps a list (ephemeral pools, and persistent pools with a tier below): its value, and its place in its bucket's list of evictable pages,
 * newest first. A node is made before the bucket lock is taken and belongs to exactly one index entry.
 */
final class LruNode
{
    /** Heap bytes of a node with compressed references: 12 header + 3 refs + int + 2 longs + boolean, aligned. */
    static final int BYTES = 48;

    LruNode newer;
    LruNode older;
    TmemObject owner;
    final int index;
    final long value;
    /** When the page was put, or put back on the list after a failed move. */
    long stamp;
    boolean linked;

    LruNode(final int index, final long value, final long stamp)
    {
        this.index = index;
        this.value = value;
        this.stamp = stamp;
    }
}
