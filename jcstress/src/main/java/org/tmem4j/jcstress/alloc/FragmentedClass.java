package org.tmem4j.jcstress.alloc;

import java.util.concurrent.atomic.AtomicLong;

import org.tmem4j.alloc.ObjectAllocator;

/**
 * A fresh allocator holding a size class left fragmented on purpose: {@code objects} objects of one size are
 * stored, then all but the first and the last are freed, which leaves (for any class holding fewer than
 * {@code objects - 1} objects per page group) two sparse page groups whose survivors compaction can merge.
 */
final class FragmentedClass
{
    private static final AtomicLong TAGS = new AtomicLong();

    private final ObjectAllocator allocator;
    private final int size;
    private final long firstTag = TAGS.getAndAdd(2);
    private final long lastTag = firstTag + 1;
    private final long first;
    private final long last;

    FragmentedClass(final String allocatorName, final int size, final int objects)
    {
        this.allocator = ObjectBytes.allocator(allocatorName);
        this.size = size;
        final long[] handles = new long[objects];
        for (int i = 0; i < objects; i++)
        {
            handles[i] = ObjectBytes.store(allocator, size, i == 0 ? firstTag : i == objects - 1 ? lastTag : -i);
        }
        for (int i = 1; i < objects - 1; i++)
        {
            allocator.free(handles[i]);
        }
        first = handles[0];
        last = handles[objects - 1];
    }

    ObjectAllocator allocator()
    {
        return allocator;
    }

    /**
     * @return whether both survivors read back intact through read, view and locate (an exception counts as a mismatch).
     */
    boolean survivorsMatch()
    {
        try
        {
            return ObjectBytes.readMatches(allocator, first, size, firstTag)
                & ObjectBytes.viewMatches(allocator, first, size, firstTag)
                & ObjectBytes.locateMatches(allocator, first, size, firstTag)
                & ObjectBytes.readMatches(allocator, last, size, lastTag)
                & ObjectBytes.viewMatches(allocator, last, size, lastTag)
                & ObjectBytes.locateMatches(allocator, last, size, lastTag);
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    void close()
    {
        allocator.close();
    }
}
