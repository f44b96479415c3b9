package org.tmem4j.zcache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

import org.tmem4j.codec.Codec;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.codec.CompressorSlot;
import org.tmem4j.codec.CorruptDataException;
import org.tmem4j.codec.ZstdDictCodec;
import org.tmem4j.codec.ZstdDictionary;

/**
 * How an engine whose pages carry a {@link PageHeader} compresses and decompresses them: with its own codec, with
 * the current dictionary of the page's pool ({@code zstd+dict}), or, for pages the recompression agent stored again,
 * with the agent's codec (plain or with the pool's dictionary).
 * <pre>
 *   put:  pool has a dictionary? retain it, compress with this slot's ZstdDictCodec  -> [id | magicless frame]
 *         else                   compress with the slot's codec                   -> [0  | frame]
 *         pool sampling?         copy the page into its sampler; the last sample starts training (background)
 *   get:  header 0 -> the slot's codec; header id -> dictionary id (alive: the page holds a reference)
 *   free: release the page's dictionary; the last release unloads it from every slot's codec and frees it
 * </pre>
 * <b>Dictionaries</b> are made from {@code sampleBytes} of a pool's first pages, never under a lock: at once a
 * raw-content one (sample pages themselves, spread over the sample, by the putting thread that completes it), then
 * at each later milestone of the sample (on one background thread per engine) another of the sample as it is then,
 * which replaces it if it pays for itself on held-out sample pages (what it saves there, extrapolated, exceeds its
 * own bytes: the current one lives on in its pages). Raw content, not a {@code ZDICT}-trained dictionary: trained
 * ones won on held-out pages of their own sample and lost on the pages that came after (on database pages after
 * pgbench they made a table's index pages larger than plain zstd; on JVM pages they gained nothing over raw content
 * and their training took a core from the puts). A pool samples again when its dictionary's ratio drifts (see
 * {@link PageDictionary}), first {@value #DRIFT_SAMPLE_BYTES} bytes of pages, so that a run of pages of
 * another kind gets a dictionary of its own early in the run. Ids are {@value PageHeader#FIRST_DICTIONARY} to
 * {@value PageHeader#LAST_DICTIONARY} over the engine: with every id in use, no new dictionary is trained until one
 * is freed. A dictionary that stops being its pool's current one only decompresses from then on, so the form zstd
 * prepared for compressing with it (several times the dictionary's own bytes) is freed at once, not with its last
 * page. Each compressor slot has one {@link ZstdDictCodec} (never one per thread); its monitor, uncontended
 * but for the rare unload, guards it against a dictionary being unloaded meanwhile.
 */
final class PageCodecs implements AutoCloseable
{
    /** Every this-many-th sample page is held out of training, to judge a trained dictionary against the current. */
    private static final int HELD_OUT = 8;
    /**
     * After a drift the new sample holds this many bytes of pages (at most the configured sample, at least a
     * dictionary's worth): 128 pages of 4 KiB, enough for a raw-content dictionary spread over them, soon enough that
     * the new kind of pages still to come gets it. Not a multiple of the dictionary's size: a larger dictionary
     * would make a table's index pages, after its rows, wait that much longer for a dictionary of their own.
     */
    private static final int DRIFT_SAMPLE_BYTES = 512 << 10;
    /** {@link #compressRetained}'s answer for a dictionary superseded since the caller read it. */
    private static final int SUPERSEDED = Integer.MIN_VALUE;
    private static final ValueLayout.OfByte HEADER = ValueLayout.JAVA_BYTE;

    private final CodecSpec spec;
    /** The recompression agent's codec, or null. */
    private final CodecSpec strong;
    /** Length of a put epoch: the agent's idle time; 0 when every page counts as idle. */
    private final long idleNanos;
    private final long origin = System.nanoTime();
    /** Whether pools keep samples and make dictionaries: for the engine's codec or the agent's. */
    private final boolean dictionaryPools;
    /** The level dictionaries are made for and slots compress at. */
    private final int dictionaryLevel;
    private final int dictionaryBytes;
    private final int sampleBytes;
    private final ZstdDictCodec[] slotCodecs;
    /** Held while the trainer compresses with a pool's current dictionary to judge a candidate against it. */
    private final Object evaluation = new Object();
    /** Per slot, a zstd codec for pages the agent recompressed without dictionary, when the engine's is LZ4. */
    private final Codec[] strongDecoders;
    /** The agent's own contexts (one agent, never one per thread), or null. */
    private final Codec strongCodec;
    private final ZstdDictCodec strongDictionaryCodec;
    private final AtomicReferenceArray<PageDictionary> dictionaries =
        new AtomicReferenceArray<>(PageHeader.LAST_DICTIONARY + 1);
    private final ExecutorService trainer;
    /** Makes pages self-contained for a lower tier; null without one. */
    private final LowerTierTranscoder transcoder;
    private final AtomicLong liveBytes = new AtomicLong();
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong made = new AtomicLong();
    private final AtomicLong resamples = new AtomicLong();
    /** Moves pages of superseded dictionaries to their pool's current one: runs on the migrator's thread. */
    private final Runnable superseded;
    /**
     * Runs {@link #superseded} (a thread of its own: a pass over a pool would hold back the next dictionary, which a
     * run of pages of another kind wants early), or null.
     */
    private final ExecutorService migrator;
    /** Whether a migration pass is queued and not started: a later supersession needs no second one. */
    private final AtomicBoolean migrationQueued = new AtomicBoolean();

    /**
     * @param spec            the engine's codec.
     * @param strong          the recompression agent's codec (zstd), or null.
     * @param idleNanos       the agent's idle time, 0 for every page.
     * @param slots           compressor slots of the engine.
     * @param dictionaryBytes largest dictionary.
     * @param sampleBytes     bytes of pages a dictionary is trained on.
     * @param name            the engine's name, for the trainer thread's.
     * @param lowerTiers        whether pages go to a lower tier (which receives them self-contained).
     * @param superseded      run on a thread of its own after a dictionary replaced a pool's current one: moves
     *                        the pages of superseded dictionaries ({@link DictionaryMigration}); null for none.
     */
    PageCodecs(final CodecSpec spec, final CodecSpec strong, final long idleNanos, final int slots,
        final int dictionaryBytes, final int sampleBytes, final String name, final boolean lowerTiers,
        final Runnable superseded)
    {
        this.superseded = superseded;
        this.spec = spec;
        this.strong = strong;
        this.idleNanos = idleNanos;
        this.dictionaryPools = spec.dictionary() || strong != null && strong.dictionary();
        this.dictionaryLevel = spec.dictionary() ? spec.level() : strong != null ? strong.level() : 0;
        this.dictionaryBytes = dictionaryBytes;
        this.sampleBytes = sampleBytes;
        this.slotCodecs = new ZstdDictCodec[dictionaryPools ? slots : 0];
        final boolean lz4Pages = strong != null && !CodecSpec.ZSTD.equals(spec.name());
        this.strongDecoders = new Codec[lz4Pages ? slots : 0];
        Codec strongCodec = null;
        ZstdDictCodec strongDictionaryCodec = null;
        LowerTierTranscoder transcoder = null;
        try
        {
            for (int i = 0; i < slotCodecs.length; i++)
            {
                slotCodecs[i] = new ZstdDictCodec(dictionaryLevel);
            }
            for (int i = 0; i < strongDecoders.length; i++)
            {
                strongDecoders[i] = strong.withoutDictionary().newCodec();
            }
            if (strong != null)
            {
                strongCodec = strong.withoutDictionary().newCodec();
                strongDictionaryCodec = strong.dictionary() ? new ZstdDictCodec(strong.level()) : null;
            }
            transcoder = lowerTiers ? new LowerTierTranscoder(spec.withoutDictionary(), dictionaryPools,
                lz4Pages ? strong : null, Runtime.getRuntime().availableProcessors()) : null;
        }
        catch (final RuntimeException | Error ex)
        {
            closeCodecs();
            if (strongCodec != null)
            {
                strongCodec.close();
            }
            if (strongDictionaryCodec != null)
            {
                strongDictionaryCodec.close();
            }
            throw ex;
        }
        this.transcoder = transcoder;
        this.strongCodec = strongCodec;
        this.strongDictionaryCodec = strongDictionaryCodec;
        this.trainer = dictionaryPools ? daemonThread("tmem4j-" + name + "-dictionaries") : null;
        this.migrator = spec.dictionary() && superseded != null ?
            daemonThread("tmem4j-" + name + "-dictionary-migration") : null;
    }

    private static ExecutorService daemonThread(final String name)
    {
        return Executors.newSingleThreadExecutor(task ->
        {
            final Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * {@return the dictionary state of a new pool, or null when the engine trains no dictionaries}
     *
     * @param pageSize the pool's page size.
     */
    PoolDictionaries newPool(final int pageSize)
    {
        return dictionaryPools ? new PoolDictionaries(newSampler(pageSize)) : null;
    }

    /**
     * Compresses a page into {@code slot.output()}: the header, then the block.
     *
     * @return the stored length, header included.
     */
    int compress(final ZcachePool pool, final CompressorSlot slot, final MemorySegment page)
    {
        final MemorySegment output = slot.output();
        final int capacity = (int)output.byteSize() - PageHeader.BYTES;
        final PoolDictionaries state = pool.dictionaries;
        if (state != null)
        {
            final DictionarySampler sampler = state.sampler;
            if (sampler != null && sampler.offer(page))
            {
                sampled(pool, sampler);
            }
            PageDictionary dictionary = spec.dictionary() ? state.current.get() : null;
            while (dictionary != null && dictionary.tryRetain())
            {
                final int length = compressRetained(slotCodecs[slot.index()], dictionary, page, pool.pageSize,
                    output, capacity);
                if (length == SUPERSEDED)
                {
                    // replaced since it was read: its successor is current already
                    dictionary = state.current.get();
                    continue;
                }
                if (length <= 0)
                {
                    output.set(HEADER, 0, PageHeader.of(PageHeader.BASE, 0));
                    return length;
                }
                output.set(HEADER, 0, PageHeader.of(dictionary.id, putEpoch()));
                if (dictionary.compressed(length) &&
                    state.resample(dictionary.drifted() && state.current.get() == dictionary))
                {
                    // the pages moved away from the sample: sample them afresh, a few at first (see DRIFT_SAMPLE_BYTES)
                    state.sampler = new DictionarySampler(driftSamplePages(pool.pageSize), pool.pageSize);
                    resamples.incrementAndGet();
                }
                return length + PageHeader.BYTES;
            }
        }
        final int length = slot.codec().compress(page, 0, pool.pageSize, output, PageHeader.BYTES, capacity);
        output.set(HEADER, 0, PageHeader.of(PageHeader.BASE, putEpoch()));
        return length <= 0 ? length : length + PageHeader.BYTES;
    }

    /**
     * {@return the epoch a page put now records: 0 without recompression, or when every page counts as idle}
     */
    int putEpoch()
    {
        return strong == null || idleNanos == 0 ? 0 : PageHeader.epoch(System.nanoTime() - origin, idleNanos);
    }

    /**
     * @param header a stored page's header.
     * @return whether the recompression agent should look at it: not yet checked, and idle long enough.
     */
    boolean isCandidate(final byte header)
    {
        return !PageHeader.isChecked(header) && (idleNanos == 0 || PageHeader.isIdle(header, putEpoch()));
    }

    /**
     * The agent's compression of a page it took out of its stored form: with the pool's current dictionary when
     * the agent's codec has {@code +dict} and the pool has one, else plain. Only the agent (one pass at a time)
     * calls it.
     *
     * @param page   the page, native.
     * @param output where the header and block go.
     * @param header the page's current header.
     * @return the stored length, header included, or ≤ 0 if it does not fit {@code output}.
     */
    int recompress(final ZcachePool pool, final MemorySegment page, final MemorySegment output, final byte header)
    {
        final int capacity = (int)output.byteSize() - PageHeader.BYTES;
        final PoolDictionaries state = pool.dictionaries;
        PageDictionary dictionary = strongDictionaryCodec != null && state != null ? state.current.get() : null;
        while (dictionary != null && dictionary.tryRetain())
        {
            final int length = compressRetained(strongDictionaryCodec, dictionary, page, pool.pageSize, output,
                capacity);
            if (length == SUPERSEDED)
            {
                dictionary = state.current.get();
                continue;
            }
            if (length <= 0)
            {
                return length;
            }
            output.set(HEADER, 0, PageHeader.recompressed(header, dictionary.id));
            return length + PageHeader.BYTES;
        }
        final int length = strongCodec.compress(page, 0, pool.pageSize, output, PageHeader.BYTES, capacity);
        output.set(HEADER, 0, PageHeader.recompressed(header, PageHeader.STRONG));
        return length <= 0 ? length : length + PageHeader.BYTES;
    }

    /**
     * Under the page's bucket lock: whether a stored page names a dictionary of the engine's codec that is no longer
     * its pool's current one, and the recompression agent has not been through it.
     *
     * @param header the page's header byte.
     */
    boolean isSuperseded(final ZcachePool pool, final byte header)
    {
        final int codec = PageHeader.codec(header);
        if (!spec.dictionary() || codec < PageHeader.FIRST_DICTIONARY || PageHeader.isChecked(header))
        {
            return false;
        }
        final PageDictionary current = pool.dictionaries.current.get();
        return current != null && current.id != codec;
    }

    /**
     * Called after a put linked its page: a page compressed with a dictionary that was superseded while the page was
     * being stored may have been passed over by the migration pass that supersession queued (the page was not in the
     * index yet), so with migration on another pass is queued for it.
     *
     * @param header the page's header byte.
     */
    void linked(final ZcachePool pool, final byte header)
    {
        if (migrator != null && isSuperseded(pool, header))
        {
            migrateLater();
        }
    }

    /**
     * The dictionary migration's form of a page of a superseded dictionary: compressed with its pool's current one,
     * if that is at most the page's share of its old dictionary's bytes larger than its present form (moving all of
     * them frees the old one; see {@link DictionaryMigration}). Only the migration (one pass at a time) calls it.
     *
     * @param page   the page, native.
     * @param slot   the slot whose output takes the header and block, held by the caller.
     * @param header the page's header.
     * @param before the stored size of its payload now.
     * @return the stored length, header included, or ≤ 0 when the page stays as it is.
     */
    int migrate(final ZcachePool pool, final MemorySegment page, final CompressorSlot slot, final byte header,
        final long before)
    {
        final PageDictionary current = pool.dictionaries.current.get();
        final PageDictionary old = dictionaries.get(PageHeader.codec(header));
        if (current == null || old == null || current == old || !current.tryRetain())
        {
            return 0;
        }
        final MemorySegment output = slot.output();
        final int length = compressRetained(slotCodecs[slot.index()], current, page, pool.pageSize, output,
            (int)output.byteSize() - PageHeader.BYTES);
        if (length <= 0)
        {
            return length;
        }
        // an estimate: the page may be freed meanwhile, and the id taken by a new dictionary
        if (length + PageHeader.BYTES > before + old.migrationShare())
        {
            release(PageHeader.of(current.id, 0));
            return 0;
        }
        output.set(HEADER, 0, PageHeader.withCodec(header, current.id));
        return length + PageHeader.BYTES;
    }

    /**
     * Compresses a page with a dictionary the caller retained for it; a block that does not fit, or a dictionary
     * superseded meanwhile, gives the reference back, as no stored page will hold it.
     *
     * @return the block's length (after the header byte), or ≤ 0 if it does not fit {@code capacity}, or
     *         {@link #SUPERSEDED} (also ≤ 0) if the dictionary no longer compresses.
     */
    private int compressRetained(final ZstdDictCodec codec, final PageDictionary dictionary, final MemorySegment page,
        final int pageSize, final MemorySegment output, final int capacity)
    {
        final int length;
        synchronized (codec)
        {
            // read under the codec's monitor, which retire() takes after setting it: a compression that saw it
            // clear ends before the dictionary's compressing forms are freed
            length = dictionary.isSuperseded() ? SUPERSEDED
                : codec.use(dictionary.dictionary).compress(page, 0, pageSize, output, PageHeader.BYTES, capacity);
        }
        if (length <= 0)
        {
            release(PageHeader.of(dictionary.id, 0));
        }
        return length;
    }

    /**
     * Whether a stored page's block (after its header) is one the engine's own codec, without dictionary, reads: a
     * page of that codec, or of the recompression agent's plain zstd in a zstd engine, whose contexts read any
     * level's frames (the level is not in the frame).
     *
     * @param header the page's header byte.
     */
    boolean isBaseForm(final byte header)
    {
        final int codec = PageHeader.codec(header);
        return codec == PageHeader.BASE || codec == PageHeader.STRONG && strongDecoders.length == 0;
    }

    /**
     * Decompresses a stored block, header included, into {@code dst[0, pageSize)}.
     *
     * @throws CorruptDataException if the block is malformed or names no live dictionary.
     */
    void decompress(final MemorySegment block, final long at, final int length, final CompressorSlot slot,
        final MemorySegment dst, final int pageSize)
    {
        final byte header = block.get(HEADER, at);
        final int codec = PageHeader.codec(header);
        final long from = at + PageHeader.BYTES;
        if (isBaseForm(header))
        {
            slot.codec().decompress(block, from, length - PageHeader.BYTES, dst, 0, pageSize);
            return;
        }
        if (codec == PageHeader.STRONG)
        {
            strongDecoders[slot.index()].decompress(block, from, length - PageHeader.BYTES, dst, 0, pageSize);
            return;
        }
        final PageDictionary dictionary = dictionaries.get(codec);
        if (dictionary == null || slotCodecs.length == 0)
        {
            throw new CorruptDataException("stored page names codec " + codec + ", which is no dictionary of " +
                "this engine");
        }
        final ZstdDictCodec dictCodec = slotCodecs[slot.index()];
        synchronized (dictCodec)
        {
            dictCodec.use(dictionary.dictionary).decompress(block, from, length - PageHeader.BYTES, dst, 0,
                pageSize);
        }
    }

    /**
     * Takes one more reference on the dictionary a stored page names, so that a copy of the page stays readable
     * after the page itself is freed; the caller holds the page's bucket lock (the page's own reference keeps the
     * dictionary alive until then) and gives the reference back with {@link #release}.
     *
     * @param header the page's header byte.
     */
    void retain(final byte header)
    {
        final int codec = PageHeader.codec(header);
        if (codec >= PageHeader.FIRST_DICTIONARY && !dictionaries.get(codec).tryRetain())
        {
            throw new IllegalStateException("dictionary " + codec + " of a stored page is freed");
        }
    }

    /**
     * What a lower tier receives of a page: the page compressed by the engine's codec alone, without header, so
     * that the tier (and any engine reading it there) decompresses it with that codec. A page stored so already is
     * handed over as it is (a view, no copy); a page that names a dictionary, or that the recompression agent
     * stored with a codec the engine's cannot read, is compressed again ({@link LowerTierTranscoder}).
     *
     * @param stored   the stored page, header first, checksum excluded; a dictionary it names is retained by the
     *                 caller until this returns.
     * @param page     the page itself, when the caller has it (a put), else null.
     * @param pageSize the page's size.
     * @return the page's form for a lower tier; a raw page is the page itself, exactly {@code pageSize} long.
     */
    MemorySegment forLowerTier(final MemorySegment stored, final MemorySegment page, final int pageSize)
    {
        final MemorySegment block = stored.asSlice(PageHeader.BYTES);
        final byte header = stored.get(HEADER, 0);
        final int codec = PageHeader.codec(header);
        if (isBaseForm(header))
        {
            return block;
        }
        return transcoder.transcode(page == null ? block : null,
            codec >= PageHeader.FIRST_DICTIONARY ? dictionaries.get(codec) : null, page, pageSize);
    }

    /**
     * Gives back the dictionary reference of a page that is freed, or whose store failed.
     *
     * @param header the page's header byte.
     */
    void release(final byte header)
    {
        final int codec = PageHeader.codec(header);
        if (codec >= PageHeader.FIRST_DICTIONARY)
        {
            final PageDictionary dictionary = dictionaries.get(codec);
            if (dictionary != null && dictionary.release())
            {
                free(dictionary);
            }
        }
    }

    /**
     * Drops a destroyed pool's hold on its current dictionary.
     */
    void poolDestroyed(final ZcachePool pool)
    {
        final PoolDictionaries state = pool.dictionaries;
        if (state != null)
        {
            state.sampler = null;
            releaseCurrent(state);
        }
    }

    /**
     * {@return dictionaries alive now}
     */
    long dictionaries()
    {
        return live.get();
    }

    /**
     * {@return bytes of the dictionaries alive now}
     */
    long dictionaryBytes()
    {
        return liveBytes.get();
    }

    /**
     * {@return the forms of the dictionaries alive that are prepared for compressing: one per level for each pool's
     * current dictionary, none for the dictionaries only their pages still use}
     */
    long preparedCompressors()
    {
        long prepared = 0;
        for (int id = 0; id < dictionaries.length(); id++)
        {
            final PageDictionary dictionary = dictionaries.get(id);
            if (dictionary != null)
            {
                prepared += dictionary.dictionary.preparedCompressors();
            }
        }
        return prepared;
    }

    /**
     * {@return dictionaries made (raw content or trained) since the engine was built}
     */
    long made()
    {
        return made.get();
    }

    /**
     * {@return drifts that started a fresh sample for a pool's next dictionary}
     */
    long resamples()
    {
        return resamples.get();
    }

    /**
     * Waits until the trainer has finished every training asked for so far, and the migration what they asked for.
     */
    void awaitTraining() throws InterruptedException
    {
        awaitIdle(trainer);
        awaitIdle(migrator);
    }

    private static void awaitIdle(final ExecutorService thread) throws InterruptedException
    {
        if (thread != null)
        {
            try
            {
                thread.submit(() -> { }).get();
            }
            catch (final java.util.concurrent.ExecutionException | RejectedExecutionException ex)
            {
                throw new IllegalStateException("dictionary thread of a closed engine", ex);
            }
        }
    }

    /**
     * Waits for a training in progress, then frees every dictionary left (the engine has freed its pages).
     */
    @Override
    public void close()
    {
        stop(trainer);
        stop(migrator);
        for (int id = PageHeader.FIRST_DICTIONARY; id <= PageHeader.LAST_DICTIONARY; id++)
        {
            final PageDictionary dictionary = dictionaries.get(id);
            if (dictionary != null)
            {
                free(dictionary);
            }
        }
        closeCodecs();
        if (strongCodec != null)
        {
            strongCodec.close();
        }
        if (transcoder != null)
        {
            transcoder.close();
        }
    }

    private DictionarySampler newSampler(final int pageSize)
    {
        return new DictionarySampler(Math.max(HELD_OUT, sampleBytes / pageSize), pageSize);
    }

    private int driftSamplePages(final int pageSize)
    {
        return Math.max(HELD_OUT, Math.min(sampleBytes, Math.max(DRIFT_SAMPLE_BYTES, dictionaryBytes)) / pageSize);
    }

    /**
     * A pool's sample reached a milestone. Without a dictionary yet, the putting thread (outside any lock) makes a
     * raw-content one of sample pages, which costs a copy and a digest of {@code dictionaryBytes}, so the pool
     * compresses with a dictionary from its next page on. Else, in the background, a raw-content dictionary of the
     * sample replaces the pool's current one if it compresses held-out sample pages smaller.
     */
    private void sampled(final ZcachePool pool, final DictionarySampler sampler)
    {
        if (state(pool).current.get() == null)
        {
            install(pool, rawContent(sampler, pool.pageSize));
            return;
        }
        try
        {
            trainer.execute(() -> trainNow(pool, sampler));
        }
        catch (final RejectedExecutionException ex)
        {
            // the engine is closing: no dictionary is wanted any more
        }
    }

    /** Queues a migration pass, unless one is queued and not started yet (it will see this supersession too). */
    private void migrateLater()
    {
        if (migrator != null && migrationQueued.compareAndSet(false, true))
        {
            try
            {
                migrator.execute(() ->
                {
                    migrationQueued.set(false);
                    superseded.run();
                });
            }
            catch (final RejectedExecutionException ex)
            {
                // the engine is closing: nothing is worth moving any more
            }
        }
    }

    private static void stop(final ExecutorService thread)
    {
        if (thread != null)
        {
            thread.shutdownNow();
            try
            {
                thread.awaitTermination(1, TimeUnit.MINUTES);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private ZstdDictionary rawContent(final DictionarySampler sampler, final int pageSize)
    {
        final int training = trainingPages(sampler.pages());
        final int wanted = Math.max(1, Math.min(dictionaryBytes / pageSize, training));
        final MemorySegment content = MemorySegment.ofArray(new byte[wanted * pageSize]);
        for (int i = 0; i < wanted; i++)
        {
            copyTrainingPage(sampler, (int)((long)i * training / wanted), content, i, pageSize);
        }
        return ZstdDictionary.ofContent(content, dictionaryLevel);
    }

    private void trainNow(final ZcachePool pool, final DictionarySampler sampler)
    {
        final PoolDictionaries state = state(pool);
        if (pool.index.isDestroyed())
        {
            return;
        }
        final ZstdDictionary candidate = rawContent(sampler, pool.pageSize);
        if (paysForItself(candidate, state, sampler, pool.pageSize))
        {
            install(pool, candidate);
            migrateLater();
        }
        else
        {
            candidate.close();
        }
    }

    /**
     * @return whether the candidate pays for itself: what it saves on the held-out sample pages against the pool's
     * current dictionary, over as many pages as the current one has compressed (its successor is expected to live
     * as long) or as the sample stands for, exceeds its own bytes. The current dictionary is not freed by the
     * change (its pages keep it), so a candidate that saves a little on few pages only adds bytes.
     */
    private boolean paysForItself(final ZstdDictionary candidate, final PoolDictionaries state,
        final DictionarySampler sampler, final int pageSize)
    {
        final PageDictionary current = state.current.get();
        if (current == null || !current.tryRetain())
        {
            return true;
        }
        final long currentBytes;
        final long candidateBytes;
        final long expectedPages;
        try (ZstdDictCodec codec = new ZstdDictCodec(dictionaryLevel))
        {
            // retire() takes this monitor before it frees a dictionary's compressing forms
            synchronized (evaluation)
            {
                if (current.isSuperseded())
                {
                    return true;
                }
                currentBytes = heldOutBytes(codec.use(current.dictionary), sampler, pageSize);
                codec.unloadCompressor(current.dictionary);
            }
            candidateBytes = heldOutBytes(codec.use(candidate), sampler, pageSize);
            expectedPages = Math.max(current.pages(), sampler.offered());
        }
        finally
        {
            if (current.release())
            {
                free(current);
            }
        }
        // the current one lives on in its pages: the candidate must pay for its own bytes
        final int heldOut = sampler.pages() / HELD_OUT;
        return (currentBytes - candidateBytes) * expectedPages > (long)candidate.byteSize() * heldOut;
    }

    private static long heldOutBytes(final ZstdDictCodec codec, final DictionarySampler sampler, final int pageSize)
    {
        final MemorySegment output = java.lang.foreign.Arena.ofAuto().allocate(codec.maxCompressedLength(pageSize));
        long bytes = 0;
        for (int i = HELD_OUT - 1; i < sampler.pages(); i += HELD_OUT)
        {
            bytes += codec.compress(sampler.samples(), (long)i * pageSize, pageSize, output, 0,
                (int)output.byteSize());
        }
        return bytes;
    }

    /** Sample pages for training: all but the held-out ones (every {@value #HELD_OUT}th). */
    private static int trainingPages(final int pages)
    {
        return pages - pages / HELD_OUT;
    }

    private static void copyTrainingPage(final DictionarySampler sampler, final int trainingIndex,
        final MemorySegment into, final int intoIndex, final int pageSize)
    {
        // training pages skip every HELD_OUT-th sample
        final int sample = trainingIndex + trainingIndex / (HELD_OUT - 1);
        MemorySegment.copy(sampler.samples(), (long)sample * pageSize, into, (long)intoIndex * pageSize, pageSize);
    }

    /**
     * Makes a dictionary the pool's current one, or closes it when every id is taken.
     */
    private void install(final ZcachePool pool, final ZstdDictionary dictionary)
    {
        final PageDictionary installed;
        synchronized (this)
        {
            final int id = freeId();
            if (id < 0)
            {
                dictionary.close();
                return;
            }
            installed = new PageDictionary(id, dictionary);
            dictionaries.set(id, installed);
        }
        live.incrementAndGet();
        liveBytes.addAndGet(dictionary.byteSize());
        
        made.incrementAndGet();
        final PoolDictionaries state = state(pool);
        final PageDictionary old = state.current.getAndSet(installed);
        if (old != null)
        {
            retire(old);
            if (old.release())
            {
                free(old);
            }
        }
        if (pool.index.isDestroyed())
        {
            releaseCurrent(state);
        }
    }

    private static PoolDictionaries state(final ZcachePool pool)
    {
        return pool.dictionaries;
    }

    private void releaseCurrent(final PoolDictionaries state)
    {
        final PageDictionary current = state.current.getAndSet(null);
        if (current != null)
        {
            retire(current);
            if (current.release())
            {
                free(current);
            }
        }
    }

    /**
     * A dictionary that is no longer its pool's current one compresses no more pages, so its compressing forms, each
     * several times its own bytes, are freed while its pages keep it for decompressing. Called with the current
     * dictionary's reference still held, so the dictionary is not {@linkplain #free freed} meanwhile.
     */
    private void retire(final PageDictionary dictionary)
    {
        dictionary.supersede();
        onEachDictionaryCodec(codec -> codec.unloadCompressor(dictionary.dictionary));
        synchronized (evaluation)
        {
            dictionary.dictionary.retireCompressors();
        }
    }

    /** Called under this object's monitor, so a free id found stays free until it is set. */
    private int freeId()
    {
        for (int id = PageHeader.FIRST_DICTIONARY; id <= PageHeader.LAST_DICTIONARY; id++)
        {
            if (dictionaries.get(id) == null)
            {
                return id;
            }
        }
        return -1;
    }

    /** Runs an action on each of the engine's dictionary codecs under the codec's monitor, which guards its use. */
    private void onEachDictionaryCodec(final Consumer<ZstdDictCodec> action)
    {
        for (final ZstdDictCodec codec : slotCodecs)
        {
            synchronized (codec)
            {
                action.accept(codec);
            }
        }
        if (strongDictionaryCodec != null)
        {
            synchronized (strongDictionaryCodec)
            {
                action.accept(strongDictionaryCodec);
            }
        }
    }

    private void free(final PageDictionary dictionary)
    {
        onEachDictionaryCodec(codec -> codec.unload(dictionary.dictionary));
        if (transcoder != null)
        {
            transcoder.unload(dictionary.dictionary);
        }
        final int bytes = dictionary.dictionary.byteSize();
        dictionary.dictionary.close();
        if (dictionaries.compareAndSet(dictionary.id, dictionary, null))
        {
            live.decrementAndGet();
            liveBytes.addAndGet(-bytes);
        }
    }

    private void closeCodecs()
    {
        for (final Codec codec : slotCodecs)
        {
            if (codec != null)
            {
                codec.close();
            }
        }
        for (final Codec codec : strongDecoders)
        {
            if (codec != null)
            {
                codec.close();
            }
        }
        if (strongDictionaryCodec != null)
        {
            strongDictionaryCodec.close();
        }
    }
}
