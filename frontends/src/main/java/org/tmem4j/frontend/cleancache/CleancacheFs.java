package org.tmem4j.frontend.cleancache;

import java.lang.foreign.MemorySegment;

import org.tmem4j.frontend.Backend;

/**
 * A mounted filesystem's cleancache handle, returned at once by {@link Cleancache#initFs()} or
 * {@link Cleancache#initSharedFs}, backend or not: the kernel's pool id. Pages are keyed by a {@link FileKey} and
 * a page index within the file.
 * <p>
 * Without a live backend, puts are counted and dropped and gets miss. A get that hits removes the page from
 * cleancache (ephemeral gets are exclusive): the caller now holds it, and puts it back when it evicts it again.
 * Page indexes beyond {@link Integer#MAX_VALUE} are not cached (the tmem index is 32 bits): such a put is dropped and
 * counted in {@code dropped_puts} and {@code index_overflow_puts}, such a get misses. Thread-safe; the caller
 * orders operations on one page (the kernel held the page lock).
 */
public final class CleancacheFs
{
    private final Cleancache cleancache;
    private final FsPool fs;
    private final CleancacheCounters counters;
    private volatile boolean invalidated;

    CleancacheFs(final Cleancache cleancache, final FsPool fs, final CleancacheCounters counters)
    {
        this.cleancache = cleancache;
        this.fs = fs;
        this.counters = counters;
    }

    /**
     * {@return whether cleancache had the page}
     *
     * @param key   the file.
     * @param index the page index, {@code >= 0}.
     * @param dst   receives the page on a hit; exactly {@link #pageSize()} bytes.
     */
    public boolean getPage(final FileKey key, final long index, final MemorySegment dst)
    {
        requireUsable(key, index, dst, "dst");
        final FsPool.Binding binding = fs.bound;
        boolean hit = false;
        if (binding != null && index <= Integer.MAX_VALUE)
        {
            if (binding.gate().enter())
            {
                try
                {
                    hit = binding.registration().isLive()
                        && binding.backend().get(binding.pool(), key.a(), key.b(), key.c(), (int)index, dst);
                }
                catch (final RuntimeException ex)
                {
                    // an ephemeral page the backend cannot give back (corrupt, failing backend) is simply not there
                    counters.backendErrors.increment();
                }
                finally
                {
                    binding.gate().exit();
                }
            }
        }
        (hit ? counters.succGets : counters.failedGets).increment();
        return hit;
    }

    /**
     * Offers a clean page leaving the caller's cache; cleancache may keep it or drop it.
     *
     * @param key   the file.
     * @param index the page index, {@code >= 0}; one beyond {@link Integer#MAX_VALUE} is dropped and counted in
     *              {@code index_overflow_puts}.
     * @param page  the page; exactly {@link #pageSize()} bytes.
     */
    public void putPage(final FileKey key, final long index, final MemorySegment page)
    {
        requireUsable(key, index, page, "page");
        counters.puts.increment();
        final FsPool.Binding binding = fs.bound;
        boolean kept = false;
        if (binding != null && index <= Integer.MAX_VALUE)
        {
            if (binding.gate().enter())
            {
                try
                {
                    kept = binding.registration().isLive() && binding.backend().put(binding.pool(), key.a(), key.b(),
                        key.c(), (int)index, page) == Backend.STORED;
                }
                catch (final RuntimeException ex)
                {
                    counters.backendErrors.increment();
                }
                finally
                {
                    binding.gate().exit();
                }
            }
        }
        if (!kept)
        {
            counters.droppedPuts.increment();
            if (index > Integer.MAX_VALUE)
            {
                counters.indexOverflowPuts.increment();
            }
        }
    }

    /**
     * Drops one page of a file (it was written or truncated away).
     *
     * @param key   the file.
     * @param index the page index, {@code >= 0}.
     */
    public void invalidatePage(final FileKey key, final long index)
    {
        requireUsable(key, index, null, null);
        counters.invalidates.increment();
        final FsPool.Binding binding = fs.bound;
        if (binding != null && index <= Integer.MAX_VALUE)
        {
            if (binding.gate().enter())
            {
                try
                {
                    binding.backend().invalidatePage(binding.pool(), key.a(), key.b(), key.c(), (int)index);
                }
                finally
                {
                    binding.gate().exit();
                }
            }
        }
    }

    /**
     * Drops every page of a file.
     *
     * @param key the file.
     */
    public void invalidateInode(final FileKey key)
    {
        requireUsable(key, 0, null, null);
        counters.invalidates.increment();
        final FsPool.Binding binding = fs.bound;
        if (binding != null)
        {
            if (binding.gate().enter())
            {
                try
                {
                    binding.backend().invalidateObject(binding.pool(), key.a(), key.b(), key.c());
                }
                finally
                {
                    binding.gate().exit();
                }
            }
        }
    }

    /**
     * Unmounts: this handle is dead afterwards. The pool and its pages go when its last mount goes (a shared pool
     * stays while another handle of its uuid is open). Idempotent.
     */
    public void invalidateFs()
    {
        cleancache.unmount(this);
    }

    /**
     * {@return the page size of the pool}
     */
    public int pageSize()
    {
        return fs.pageSize;
    }

    /**
     * {@return whether the pool is shared by uuid}
     */
    public boolean isShared()
    {
        return fs.uuid != null;
    }

    /**
     * {@return whether {@link #invalidateFs()} was called}
     */
    public boolean isInvalidated()
    {
        return invalidated;
    }

    FsPool fs()
    {
        return fs;
    }

    /**
     * @return whether this call marked the handle invalidated.
     */
    boolean markInvalidated()
    {
        if (invalidated)
        {
            return false;
        }
        invalidated = true;
        return true;
    }

    @Override
    public String toString()
    {
        return "cleancache fs " + (fs.uuid == null ? "(private" : "(shared " + fs.uuid) + ", " + fs.pageSize
            + " B pages" + (invalidated ? ", invalidated)" : ")");
    }

    private void requireUsable(final FileKey key, final long index, final MemorySegment page, final String name)
    {
        if (invalidated)
        {
            throw new IllegalStateException(this + " is unmounted; init the filesystem again");
        }
        if (key == null)
        {
            throw new IllegalArgumentException("file key is null");
        }
        if (index < 0)
        {
            throw new IllegalArgumentException("page index " + index + " is negative; page indexes are >= 0");
        }
        if (name != null && (page == null || page.byteSize() != fs.pageSize))
        {
            throw new IllegalArgumentException(name + " must be a segment of exactly " + fs.pageSize
                + " bytes (the pool's page size), got " + (page == null ? "null" : page.byteSize() + " bytes"));
        }
        if ("dst".equals(name) && page.isReadOnly())
        {
            // checked here, not left to the backend, whose exception a get treats as a miss
            throw new IllegalArgumentException("dst is read-only; a get needs a writable segment of " + fs.pageSize
                + " bytes");
        }
    }
}
