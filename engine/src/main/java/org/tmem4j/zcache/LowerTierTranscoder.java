package org.tmem4j.zcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.ReentrantLock;

import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.codec.ZstdDictCodec;
import org.tmem4j.codec.ZstdDictionary;
import org.tmem4j.tmem.PageSizes;

/**
 * Compresses again, with the engine's own codec alone, the pages that go to a lower tier in a form the tier could
 * not read by itself: pages compressed with a pool's dictionary, and pages the recompression agent stored with zstd
 * in an LZ4 engine. A tier below holds pages beyond the life of this engine's dictionaries (a shared pool's pages in
 * Redis are read by other nodes, whose dictionaries differ; a swap file's slot is the page itself), so what goes
 * down is self-contained: the engine's codec decompresses it, whichever engine reads it.
 * <p>
 * Its contexts are its own ({@code movers}, one per processor, each with its buffers), never a compressor slot's:
 * a page moves down while the put that makes room holds its slot. A mover is held for one page; a thread holds at
 * most one, so waiting for one never deadlocks. A dictionary codec's monitor guards it, as in
 * {@link PageCodecs}, against a dictionary being unloaded meanwhile.
 */
final class LowerTierTranscoder implements AutoCloseable
{
    private final Mover[] movers;

    /**
     * @param base         the engine's codec, without dictionary.
     * @param dictionaries whether pages may name a dictionary.
     * @param strong       the recompression agent's codec when its frames are not the engine's codec's (an LZ4
     *                     engine), or null.
     * @param count        movers, at least 1.
     */
    LowerTierTranscoder(final CodecSpec base, final boolean dictionaries, final CodecSpec strong, final int count)
    {
        this.movers = new Mover[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                movers[i] = new Mover(base, dictionaries, strong);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Compresses a page with the engine's codec alone: the page itself when at hand, else what a stored block
     * decompresses to.
     *
     * @param block      the stored block without its header, or null when {@code page} is given.
     * @param dictionary the dictionary the block was compressed with, retained by the caller, or null.
     * @param page       the page, or null to decompress {@code block}.
     * @param pageSize   the page's size.
     * @return a heap copy of the page compressed by the engine's codec, or of the page itself when that does not
     * shrink it (a lower tier reads a payload of exactly one page as the page).
     */
    MemorySegment transcode(final MemorySegment block, final PageDictionary dictionary, final MemorySegment page,
        final int pageSize)
    {
        final Mover mover = acquire();
        try
        {
            final MemorySegment plain;
            if (page != null)
            {
                plain = page;
            }
            else
            {
                final int length = (int)block.byteSize();
                MemorySegment.copy(block, 0, mover.in, 0, length);
                if (dictionary != null)
                {
                    synchronized (mover.dictionaryCodec)
                    {
                        mover.dictionaryCodec.use(dictionary.dictionary).decompress(mover.in, 0, length, mover.page,
                            0, pageSize);
                    }
                }
                else
                {
                    mover.strongDecoder.decompress(mover.in, 0, length, mover.page, 0, pageSize);
                }
                plain = mover.page;
            }
            final int compressed = mover.base.compress(plain, 0, pageSize, mover.out, 0, (int)mover.out.byteSize());
            final MemorySegment form = compressed > 0 && compressed < pageSize ? mover.out.asSlice(0, compressed) :
                plain.asSlice(0, pageSize);
            return MemorySegment.ofArray(form.toArray(ValueLayout.JAVA_BYTE));
        }
        finally
        {
            mover.lock.unlock();
        }
    }

    /**
     * Drops every mover's reference to a dictionary being freed.
     */
    void unload(final ZstdDictionary dictionary)
    {
        for (final Mover mover : movers)
        {
            if (mover != null && mover.dictionaryCodec != null)
            {
                synchronized (mover.dictionaryCodec)
                {
                    mover.dictionaryCodec.unload(dictionary);
                }
            }
        }
    }

    /**
     * Frees the movers' contexts and buffers; no page moves any more.
     */
    @Override
    public void close()
    {
        for (final Mover mover : movers)
        {
            if (mover != null)
            {
                mover.close();
            }
        }
    }

    /** A free mover, else the thread's own one once it is free. */
    private Mover acquire()
    {
        final int start = (int)(Thread.currentThread().threadId() % movers.length);
        for (int i = 0; i < movers.length; i++)
        {
            final Mover mover = movers[(start + i) % movers.length];
            if (mover.lock.tryLock())
            {
                return mover;
            }
        }
        final Mover mover = movers[start];
        mover.lock.lock();
        return mover;
    }

    /**
     * One set of contexts and buffers, for pages up to {@value PageSizes#MAX} bytes.
     */
    private static final class Mover
    {
        final ReentrantLock lock = new ReentrantLock();
        final Arena arena = Arena.ofShared();
        final Codec base;
        /** Null when no page names a dictionary. */
        final ZstdDictCodec dictionaryCodec;
        /** Null when the agent's frames are the engine codec's. */
        final Codec strongDecoder;
        final MemorySegment in;
        final MemorySegment page;
        final MemorySegment out;

        Mover(final CodecSpec base, final boolean dictionaries, final CodecSpec strong)
        {
            Codec made = null;
            ZstdDictCodec dictionaryCodec = null;
            try
            {
                made = base.newCodec();
                // it only decompresses here: the level is not in the frame
                dictionaryCodec = dictionaries ? new ZstdDictCodec(CodecSpec.ZSTD_DEFAULT_LEVEL) : null;
                this.strongDecoder = strong == null ? null : strong.withoutDictionary().newCodec();
            }
            catch (final RuntimeException | Error ex)
            {
                if (made != null)
                {
                    made.close();
                }
                if (dictionaryCodec != null)
                {
                    dictionaryCodec.close();
                }
                arena.close();
                throw ex;
            }
            this.base = made;
            this.dictionaryCodec = dictionaryCodec;
            // a stored block is below its page's size: admission refuses more than 7/8, and raw pages go as they are
            this.in = arena.allocate(PageSizes.MAX, 64);
            this.page = arena.allocate(PageSizes.MAX, 4096);
            this.out = arena.allocate(made.maxCompressedLength(PageSizes.MAX), 64);
        }

        void close()
        {
            base.close();
            if (dictionaryCodec != null)
            {
                dictionaryCodec.close();
            }
            if (strongDecoder != null)
            {
                strongDecoder.close();
            }
            arena.close();
        }
    }
}
