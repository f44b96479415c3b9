package org.tmem4j.tmem;

/**
 * The 64-way radix tree that maps an object's 32-bit page indexes to stored values, as in Linux tmem.
 * <pre>
 *   height 2 (indexes 0 .. 4095)
 *
 *   root: Object[64] ----+-- [0] --> leaf [v0 | v1 | ... | v63]          indexes    0 ..   63
 *                        +-- [1] --> leaf [v64 | ...          ]          indexes   64 ..  127
 *                        +-- [2] --> null                                 nothing stored there
 *                        ...
 *   a leaf is long[64] (persistent pools: the value itself) or Object[64] (ephemeral pools: an LruNode)
 * </pre>
 * Height {@code h} covers indexes below {@code 2^(6h)}; six levels cover every non-negative {@code int}. The tree
 * grows by pushing the root into slot 0 of a new root, frees a node as soon as its last slot empties, and lowers
 * itself while the root uses only slot 0, so a dense run of {@code n} pages costs {@code n/64} leaves of 528 bytes
 * (8.25 bytes a page) plus a few interior nodes, and a sparse one costs a path per page.
 * <p>
 * Nodes are never made here: inserts take them from {@link NodeSpares} made before the bucket lock was taken. Every
 * node made or freed is charged to the owning {@link HashBucket}'s metadata estimate. Not thread-safe: the owning
 * bucket's lock guards it.
 */
class PageIndex
{
    static final int SHIFT = 6;
    static final int FANOUT = 1 << SHIFT;
    static final int MASK = FANOUT - 1;

    /** Heap bytes of an interior node or a reference leaf, {@code Object[64]} with compressed references. */
    static final int REF_NODE_BYTES = 16 + FANOUT * 4;
    /** Heap bytes of a value leaf, {@code long[64]}. */
    static final int LONG_LEAF_BYTES = 16 + FANOUT * 8;

    private Object root;
    private int height;

    /**
     * @param index a page index, ≥ 0.
     * @return the height of the smallest tree that covers it.
     */
    static int heightFor(final int index)
    {
        final int bits = 32 - Integer.numberOfLeadingZeros(index);
        return Math.max(1, (bits + SHIFT - 1) / SHIFT);
    }

    final boolean isTreeEmpty()
    {
        return root == null;
    }

    /**
     * @param index a page index, ≥ 0.
     * @return the leaf covering it, or {@code null} if there is none.
     */
    final Object leafFor(final int index)
    {
        Object node = root;
        final int h = height;
        if (node == null || ((long)index >>> (SHIFT * h)) != 0)
        {
            return null;
        }
        for (int level = h; level > 1 && node != null; level--)
        {
            node = ((Object[])node)[(index >>> (SHIFT * (level - 1))) & MASK];
        }
        return node;
    }

    /**
     * @param index a page index, ≥ 0.
     * @return how many nodes an insert at it needs to make: 0, or one leaf and the rest interior nodes.
     */
    final int missingNodes(final int index)
    {
        final int required = heightFor(index);
        if (root == null)
        {
            return required;
        }
        if (height < required)
        {
            return (required - height) + (required - 1);
        }
        Object node = root;
        for (int level = height; level > 1; level--)
        {
            node = ((Object[])node)[(index >>> (SHIFT * (level - 1))) & MASK];
            if (node == null)
            {
                return level - 1;
            }
        }
        return 0;
    }

    /**
     * Finds or makes the leaf covering an index.
     *
     * @param index   a page index, ≥ 0.
     * @param spares  nodes to link in; must hold {@link #missingNodes(int)} of them.
     * @param account the bucket charged for the nodes.
     * @return the leaf.
     */
    final Object insertLeaf(final int index, final NodeSpares spares, final HashBucket account)
    {
        final int required = heightFor(index);
        if (root == null)
        {
            root = required == 1 ? takeLeaf(spares, account) : takeInterior(spares, account);
            height = required;
        }
        while (height < required)
        {
            final Object[] grown = takeInterior(spares, account);
            grown[0] = root;
            root = grown;
            height++;
        }
        Object node = root;
        for (int level = height; level > 1; level--)
        {
            final Object[] inner = (Object[])node;
            final int slot = (index >>> (SHIFT * (level - 1))) & MASK;
            Object child = inner[slot];
            if (child == null)
            {
                child = level == 2 ? takeLeaf(spares, account) : takeInterior(spares, account);
                inner[slot] = child;
            }
            node = child;
        }
        return node;
    }

    /**
     * Frees what a removal at an index left empty: the leaf, interior nodes above it, and root levels that only
     * lead to slot 0.
     *
     * @param index   the index whose slot was just cleared.
     * @param account the bucket credited for freed nodes.
     */
    final void prune(final int index, final HashBucket account)
    {
        if (height == 1)
        {
            if (isEmptyLeaf(root))
            {
                account.metadataBytes -= leafBytes(root);
                root = null;
                height = 0;
            }
            return;
        }
        if (pruneBelow((Object[])root, height, index, account))
        {
            account.metadataBytes -= REF_NODE_BYTES;
            root = null;
            height = 0;
            return;
        }
        while (height > 1 && leadsOnlyToFirst((Object[])root))
        {
            root = ((Object[])root)[0];
            height--;
            account.metadataBytes -= REF_NODE_BYTES;
        }
    }

    /**
     * Calls the visitor for every leaf, in index order.
     *
     * @param visitor what to call.
     */
    final void forEachLeaf(final LeafVisitor visitor)
    {
        if (root != null)
        {
            visit(root, height, 0, visitor);
        }
    }

    /**
     * Takes every {@link LruNode} of a reference-leaf tree off its bucket's eviction list; walks the tree directly,
     * as it runs under the bucket lock where not even a visitor may be allocated.
     *
     * @param bucket the bucket holding the list.
     */
    final void unlinkTree(final HashBucket bucket)
    {
        unlinkBelow(root, height, bucket);
    }

    /**
     * Adds every page of the tree to a batch; walks the tree directly, as it runs under the bucket lock.
     *
     * @param owner the object the tree belongs to.
     * @param batch where the pages go.
     */
    final void collectTree(final TmemObject owner, final PageBatch batch)
    {
        if (root != null)
        {
            collectBelow(root, height, 0, owner, batch);
        }
    }

    private static void collectBelow(final Object node, final int level, final int base, final TmemObject owner,
        final PageBatch batch)
    {
        if (level == 1)
        {
            if (node instanceof long[] values)
            {
                for (int slot = 0; slot < FANOUT; slot++)
                {
                    if (values[slot] != TmemPool.EMPTY)
                    {
                        batch.add(owner, base | slot, values[slot]);
                    }
                }
            }
            else
            {
                final Object[] nodes = (Object[])node;
                for (int slot = 0; slot < FANOUT; slot++)
                {
                    if (nodes[slot] != null)
                    {
                        batch.add(owner, base | slot, ((LruNode)nodes[slot]).value);
                    }
                }
            }
            return;
        }
        final Object[] inner = (Object[])node;
        for (int slot = 0; slot < FANOUT; slot++)
        {
            if (inner[slot] != null)
            {
                collectBelow(inner[slot], level - 1, base | (slot << (SHIFT * (level - 1))), owner, batch);
            }
        }
    }

    /**
     * @return heap bytes of every node of the tree, for crediting a bucket when the object leaves it.
     */
    final long treeBytes()
    {
        return nodeBytes(root, height);
    }

    /**
     * What {@link #forEachLeaf(LeafVisitor)} calls.
     */
    @FunctionalInterface
    interface LeafVisitor
    {
        /**
         * @param leaf      a {@code long[64]} or {@code Object[64]} leaf.
         * @param baseIndex the page index of its slot 0.
         */
        void leaf(Object leaf, int baseIndex);
    }

    private static void visit(final Object node, final int level, final int base, final LeafVisitor visitor)
    {
        if (level == 1)
        {
            visitor.leaf(node, base);
            return;
        }
        final Object[] inner = (Object[])node;
        for (int slot = 0; slot < FANOUT; slot++)
        {
            if (inner[slot] != null)
            {
                visit(inner[slot], level - 1, base | (slot << (SHIFT * (level - 1))), visitor);
            }
        }
    }

    private static void unlinkBelow(final Object node, final int level, final HashBucket bucket)
    {
        if (node == null)
        {
            return;
        }
        for (final Object child : (Object[])node)
        {
            if (level == 1)
            {
                if (child != null)
                {
                    bucket.unlink((LruNode)child);
                }
            }
            else
            {
                unlinkBelow(child, level - 1, bucket);
            }
        }
    }

    private static long nodeBytes(final Object node, final int level)
    {
        if (node == null)
        {
            return 0;
        }
        if (level == 1)
        {
            return leafBytes(node);
        }
        long bytes = REF_NODE_BYTES;
        for (final Object child : (Object[])node)
        {
            bytes += nodeBytes(child, level - 1);
        }
        return bytes;
    }

    private static boolean pruneBelow(final Object[] node, final int level, final int index, final HashBucket account)
    {
        final int slot = (index >>> (SHIFT * (level - 1))) & MASK;
        final Object child = node[slot];
        if (child == null)
        {
            return false;
        }
        final boolean childEmpty =
            level == 2 ? isEmptyLeaf(child) : pruneBelow((Object[])child, level - 1, index, account);
        if (!childEmpty)
        {
            return false;
        }
        account.metadataBytes -= level == 2 ? leafBytes(child) : REF_NODE_BYTES;
        node[slot] = null;
        for (final Object other : node)
        {
            if (other != null)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean leadsOnlyToFirst(final Object[] node)
    {
        for (int slot = 1; slot < FANOUT; slot++)
        {
            if (node[slot] != null)
            {
                return false;
            }
        }
        return node[0] != null;
    }

    private static boolean isEmptyLeaf(final Object leaf)
    {
        if (leaf instanceof long[] values)
        {
            for (final long value : values)
            {
                if (value != 0)
                {
                    return false;
                }
            }
            return true;
        }
        for (final Object ref : (Object[])leaf)
        {
            if (ref != null)
            {
                return false;
            }
        }
        return true;
    }

    private static int leafBytes(final Object leaf)
    {
        return leaf instanceof long[] ? LONG_LEAF_BYTES : REF_NODE_BYTES;
    }

    private static Object takeLeaf(final NodeSpares spares, final HashBucket account)
    {
        final Object leaf = spares.leaf();
        account.metadataBytes += leafBytes(leaf);
        return leaf;
    }

    private static Object[] takeInterior(final NodeSpares spares, final HashBucket account)
    {
        account.metadataBytes += REF_NODE_BYTES;
        return spares.interior();
    }
}
