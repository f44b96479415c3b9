package org.tmem4j.frontend.zcache;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

import org.tmem4j.codec.CodecSpec;
import org.tmem4j.codec.CompressorPool;
import org.tmem4j.codec.CompressorSlot;
import org.tmem4j.codec.CorruptDataException;
import org.tmem4j.frontend.frontswap.SlotWriteback;
import org.tmem4j.tmem.PageSizes;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.tmem.TmemPool;
import org.tmem4j.zcache.LowerTier;

/**
 * Frontswap writeback as zcache's lowest {@link LowerTier}: zswap's writeback to the swap device. The coldest
 * persistent page of a swap area's pool is decompressed and written into its own slot of the area's swap file (the
 * area marks the slot as no longer in the backend only once the write succeeded), and zcache frees it only then.
 * <p>
 * It takes only pages zcache held, and only of pools a swap area created with its {@link SlotWriteback}: a new page
 * that finds no room is refused, so frontswap writes it to the file itself and keeps its slot bits right. It holds
 * nothing of its own: once written back, a slot's page is the area's, which reads it from the file without asking
 * zcache, so {@link #load} always misses and the invalidations have nothing to drop.
 * <p>
 * Decompression runs on this tier's own compressor slots (one per processor), never on zcache's, which the put
 * that is making room holds.
 */
public final class SwapFileTier implements LowerTier, AutoCloseable
{
    private final ConcurrentHashMap<Integer, SlotWriteback> areas = new ConcurrentHashMap<>();
    private final CompressorPool decompressors;

    /**
     * Creates the tier for a zcache of that codec.
     *
     * @param codec the codec zcache compresses with.
     */
    public SwapFileTier(final CodecSpec codec)
    {
        this.decompressors = CompressorPool.create(codec, Runtime.getRuntime().availableProcessors(), PageSizes.MAX);
    }

    /**
     * Lets zcache write a persistent pool's pages back through a swap area.
     *
     * @param pool      the pool the area created.
     * @param writeback the area's side.
     */
    public void attach(final int pool, final SlotWriteback writeback)
    {
        areas.put(pool, writeback);
    }

    @Override
    public boolean acceptsNewPages()
    {
        return false;
    }

    @Override
    public boolean store(final TmemPool pool, final long a, final long b, final long c, final int index,
        final MemorySegment compressed)
    {
        final SlotWriteback area = pool.kind() == PoolKind.PERSISTENT ? areas.get(pool.id()) : null;
        if (area == null)
        {
            return false;
        }
        final int pageSize = pool.pageSize();
        try (CompressorSlot slot = decompressors.acquire())
        {
            final int length = (int)compressed.byteSize();
            if (length == pageSize)
            {
                // a raw page: zcache keeps incompressible pages as themselves
                MemorySegment.copy(compressed, 0, slot.output(), 0, pageSize);
            }
            else
            {
                MemorySegment.copy(compressed, 0, slot.scratch(), 0, length);
                slot.codec().decompress(slot.scratch(), 0, length, slot.output(), 0, pageSize);
            }
            return area.writeBack(a, b, c, index, slot.output().asSlice(0, pageSize));
        }
        catch (final CorruptDataException ex)
        {
            // a page that does not decompress stays in zcache, whose get reports it as corrupt
            return false;
        }
    }

    @Override
    public int load(final TmemPool pool, final long a, final long b, final long c, final int index,
        final boolean remove, final MemorySegment into)
    {
        return MISS;
    }

    @Override
    public boolean invalidatePage(final TmemPool pool, final long a, final long b, final long c, final int index)
    {
        return false;
    }

    @Override
    public int invalidateObject(final TmemPool pool, final long a, final long b, final long c)
    {
        return 0;
    }

    @Override
    public void destroyPool(final TmemPool pool)
    {
        areas.remove(pool.id());
    }

    /**
     * Releases the decompression contexts.
     */
    @Override
    public void close()
    {
        decompressors.close();
    }

    @Override
    public String toString()
    {
        return "swap files (" + areas.size() + " areas)";
    }
}
