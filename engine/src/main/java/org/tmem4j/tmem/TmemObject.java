package org.tmem4j.tmem;

import java.util.function.LongConsumer;

/**
 * One object of a pool (a file for cleancache, a run of swap slots for frontswap): its 192-bit id and the index of
 * its pages.
 * <p>
 * An object with a single page keeps it inline ({@code singleIndex} and the value or node) and has no tree, so the
 * sparse case, one page per object, costs this object and its table slot instead of a 64-slot leaf. The second page
 * moves both into the {@link PageIndex} tree. Persistent pools store values ({@code long}) in the tree; ephemeral
 * pools store {@link LruNode}s, which carry the value and the page's place in the bucket's eviction list.
 * <p>
 * Not thread-safe: its {@link HashBucket}'s lock guards it.
 */
final class TmemObject extends PageIndex
{
    /** Heap bytes of an object with compressed references: header, tree root and height, id, counts, inline page. */
    static final int BYTES = 64;

    final long a;
    final long b;
    final long c;
    int pages;
    private int singleIndex;
    private long singleValue;
    private LruNode singleNode;

    TmemObject(final long a, final long b, final long c)
    {
        this.a = a;
        this.b = b;
        this.c = c;
    }

    boolean is(final long a, final long b, final long c)
    {
        return this.a == a && this.b == b && this.c == c;
    }

    /**
     * @param index a page index.
     * @return spare nodes a put at it needs: {@code interiors << 2 | leaves}, 0 when none.
     */
    int sparesNeeded(final int index)
    {
        if (isTreeEmpty())
        {
            if (pages == 0 || singleIndex == index)
            {
                return 0;
            }
            return pairSpares(singleIndex, index);
        }
        final int missing = missingNodes(index);
        return missing == 0 ? 0 : (missing - 1) << 2 | 1;
    }

    /**
     * @return spares to build a tree holding {@code first} and then {@code second} from nothing, encoded as by
     * {@link #sparesNeeded(int)}.
     */
    static int pairSpares(final int first, final int second)
    {
        final int h1 = heightFor(first);
        final int h2 = heightFor(second);
        if (h2 > h1)
        {
            return (h1 - 1 + (h2 - h1) + (h2 - 2)) << 2 | 2;
        }
        for (int level = h1; level > 1; level--)
        {
            final int shift = SHIFT * (level - 1);
            if (((first >>> shift) & MASK) != ((second >>> shift) & MASK))
            {
                return (h1 - 1 + level - 2) << 2 | 2;
            }
        }
        return (h1 - 1) << 2 | 1;
    }

    long value(final int index)
    {
        if (isTreeEmpty())
        {
            return pages == 1 && singleIndex == index ? singleValue : TmemPool.EMPTY;
        }
        final Object leaf = leafFor(index);
        return leaf == null ? TmemPool.EMPTY : ((long[])leaf)[index & MASK];
    }

    LruNode node(final int index)
    {
        if (isTreeEmpty())
        {
            return pages == 1 && singleIndex == index ? singleNode : null;
        }
        final Object leaf = leafFor(index);
        return leaf == null ? null : (LruNode)((Object[])leaf)[index & MASK];
    }

    /**
     * @return the value replaced, or {@link TmemPool#EMPTY}.
     */
    long putValue(final int index, final long value, final NodeSpares spares, final HashBucket account)
    {
        if (isTreeEmpty())
        {
            if (pages == 0 || singleIndex == index)
            {
                final long old = pages == 0 ? TmemPool.EMPTY : singleValue;
                singleIndex = index;
                singleValue = value;
                pages = 1;
                return old;
            }
            ((long[])insertLeaf(singleIndex, spares, account))[singleIndex & MASK] = singleValue;
            singleValue = TmemPool.EMPTY;
        }
        final long[] leaf = (long[])insertLeaf(index, spares, account);
        final long old = leaf[index & MASK];
        leaf[index & MASK] = value;
        if (old == TmemPool.EMPTY)
        {
            pages++;
        }
        return old;
    }

    /**
     * @return the node replaced, or {@code null}.
     */
    LruNode putNode(final int index, final LruNode node, final NodeSpares spares, final HashBucket account)
    {
        node.owner = this;
        if (isTreeEmpty())
        {
            if (pages == 0 || singleIndex == index)
            {
                final LruNode old = pages == 0 ? null : singleNode;
                singleIndex = index;
                singleNode = node;
                pages = 1;
                return old;
            }
            ((Object[])insertLeaf(singleIndex, spares, account))[singleIndex & MASK] = singleNode;
            singleNode = null;
        }
        final Object[] leaf = (Object[])insertLeaf(index, spares, account);
        final LruNode old = (LruNode)leaf[index & MASK];
        leaf[index & MASK] = node;
        if (old == null)
        {
            pages++;
        }
        return old;
    }

    /**
     * @return the value removed, or {@link TmemPool#EMPTY}.
     */
    long removeValue(final int index, final HashBucket account)
    {
        if (isTreeEmpty())
        {
            if (pages == 1 && singleIndex == index)
            {
                pages = 0;
                final long old = singleValue;
                singleValue = TmemPool.EMPTY;
                return old;
            }
            return TmemPool.EMPTY;
        }
        final Object leaf = leafFor(index);
        if (leaf == null)
        {
            return TmemPool.EMPTY;
        }
        final long[] values = (long[])leaf;
        final long old = values[index & MASK];
        if (old != TmemPool.EMPTY)
        {
            values[index & MASK] = TmemPool.EMPTY;
            pages--;
            prune(index, account);
        }
        return old;
    }

    /**
     * @return the node removed, or {@code null}.
     */
    LruNode removeNode(final int index, final HashBucket account)
    {
        if (isTreeEmpty())
        {
            if (pages == 1 && singleIndex == index)
            {
                pages = 0;
                final LruNode old = singleNode;
                singleNode = null;
                return old;
            }
            return null;
        }
        final Object leaf = leafFor(index);
        if (leaf == null)
        {
            return null;
        }
        final Object[] nodes = (Object[])leaf;
        final LruNode old = (LruNode)nodes[index & MASK];
        if (old != null)
        {
            nodes[index & MASK] = null;
            pages--;
            prune(index, account);
        }
        return old;
    }

    /**
     * Takes every page of an ephemeral object off its bucket's eviction list, when the object leaves the bucket.
     *
     * @param bucket the bucket whose list the nodes leave.
     */
    void unlinkAll(final HashBucket bucket)
    {
        if (isTreeEmpty())
        {
            if (singleNode != null)
            {
                bucket.unlink(singleNode);
            }
            return;
        }
        unlinkTree(bucket);
    }

    /**
     * Adds every page to a batch, under the bucket lock.
     */
    void collect(final PageBatch batch)
    {
        if (isTreeEmpty())
        {
            if (pages == 1)
            {
                batch.add(this, singleIndex, singleNode != null ? singleNode.value : singleValue);
            }
            return;
        }
        collectTree(this, batch);
    }

    /**
     * Replaces a page's value in place, keeping a listed page's place in its bucket's list.
     *
     * @return whether the page held {@code expected} (and now holds {@code replacement}).
     */
    boolean replace(final int index, final long expected, final long replacement, final boolean lru)
    {
        if (lru)
        {
            final LruNode node = node(index);
            if (node == null || node.value != expected)
            {
                return false;
            }
            node.value = replacement;
            return true;
        }
        if (value(index) != expected || expected == TmemPool.EMPTY)
        {
            return false;
        }
        if (isTreeEmpty())
        {
            singleValue = replacement;
        }
        else
        {
            ((long[])leafFor(index))[index & MASK] = replacement;
        }
        return true;
    }

    /**
     * Calls {@code action} with every stored value; for an object already detached from its bucket.
     *
     * @param action what to call.
     */
    void forEachValue(final LongConsumer action)
    {
        if (isTreeEmpty())
        {
            if (pages == 1)
            {
                action.accept(singleNode != null ? singleNode.value : singleValue);
            }
            return;
        }
        forEachLeaf((leaf, base) ->
        {
            if (leaf instanceof long[] values)
            {
                for (final long value : values)
                {
                    if (value != TmemPool.EMPTY)
                    {
                        action.accept(value);
                    }
                }
            }
            else
            {
                for (final Object ref : (Object[])leaf)
                {
                    if (ref != null)
                    {
                        action.accept(((LruNode)ref).value);
                    }
                }
            }
        });
    }
}
