package org.tmem4j.tmem;

/**
 * Radix-tree nodes made before a bucket lock is taken, so that an insert under the lock only links them in: the
 * JVM counterpart of zcache's per-CPU preload of objects and objnodes. A put that finds it needs more nodes than it
 * holds releases the lock, makes them here and retries; whatever it does not use is garbage, which happens only when
 * another thread changed the tree in between.
 */
final class NodeSpares
{
    private final Object[][] interiors;
    private final Object[] leaves;
    private int interiorsUsed;
    private int leavesUsed;

    /**
     * @param interiorCount interior nodes to make.
     * @param leafCount     leaves to make.
     * @param longLeaves    whether leaves hold longs (persistent pools) or references (ephemeral pools).
     */
    NodeSpares(final int interiorCount, final int leafCount, final boolean longLeaves)
    {
        interiors = new Object[interiorCount][];
        for (int i = 0; i < interiorCount; i++)
        {
            interiors[i] = new Object[PageIndex.FANOUT];
        }
        leaves = new Object[leafCount];
        for (int i = 0; i < leafCount; i++)
        {
            leaves[i] = longLeaves ? new long[PageIndex.FANOUT] : new Object[PageIndex.FANOUT];
        }
    }

    boolean covers(final int interiorCount, final int leafCount)
    {
        return interiors.length - interiorsUsed >= interiorCount && leaves.length - leavesUsed >= leafCount;
    }

    Object[] interior()
    {
        return interiors[interiorsUsed++];
    }

    Object leaf()
    {
        return leaves[leavesUsed++];
    }
}
