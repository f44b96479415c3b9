package org.tmem4j.zbud;

/**
 * The bits of a zbud handle. A handle names one buddy of one page of one shard of one allocator, at one
 * generation of that buddy:
 * <pre>
 *   63 | 62 ..... 55 | 54 ..... 49 | 48 ............ 27 | 26 ............ 1 | 0
 *    0 | tag (8 bits) | shard (6)   | generation (22 bits) | page slot (26 bits) | buddy (0 = first, 1 = last)
 * </pre>
 * The tag identifies the allocator instance (never 0, so every handle is positive; instances created 255 apart
 * share one, so a foreign handle is caught by its tag except between those); the shard picks the allocator's
 * shard and the page slot indexes that shard's {@link PageTable}; the generation is bumped each time that buddy is
 * freed. A handle from another allocator fails on its tag, a freed one on its generation, a forged one on any of
 * the fields or on the buddy being empty. A stale handle is mistaken for a live one only after 2^22 frees of the
 * same buddy.
 */
final class ZbudHandle
{
    static final int TAG_BITS = 8;
    static final int SHARD_BITS = 6;
    static final int GENERATION_BITS = 22;
    static final int SLOT_BITS = 26;

    static final int TAG_MASK = (1 << TAG_BITS) - 1;
    /** The most shards one allocator can have. */
    static final int MAX_SHARDS = 1 << SHARD_BITS;
    static final int GENERATION_MASK = (1 << GENERATION_BITS) - 1;
    static final int SLOT_MASK = (1 << SLOT_BITS) - 1;
    /** The most pages one shard can hold (256 GiB of 4 KiB pages). */
    static final int MAX_SLOTS = 1 << SLOT_BITS;

    private static final int SLOT_SHIFT = 1;
    private static final int GENERATION_SHIFT = SLOT_SHIFT + SLOT_BITS;
    private static final int SHARD_SHIFT = GENERATION_SHIFT + GENERATION_BITS;
    private static final int TAG_SHIFT = SHARD_SHIFT + SHARD_BITS;

    private ZbudHandle()
    {
    }

    static long encode(final int tag, final int shard, final int generation, final int slot, final int buddy)
    {
        return (long)tag << TAG_SHIFT | (long)shard << SHARD_SHIFT |
            (long)(generation & GENERATION_MASK) << GENERATION_SHIFT | (long)slot << SLOT_SHIFT | buddy;
    }

    static int shard(final long handle)
    {
        return (int)(handle >>> SHARD_SHIFT) & (MAX_SHARDS - 1);
    }

    static int tag(final long handle)
    {
        return (int)(handle >>> TAG_SHIFT) & TAG_MASK;
    }

    static int generation(final long handle)
    {
        return (int)(handle >>> GENERATION_SHIFT) & GENERATION_MASK;
    }

    static int slot(final long handle)
    {
        return (int)(handle >>> SLOT_SHIFT) & SLOT_MASK;
    }

    static int buddy(final long handle)
    {
        return (int)handle & 1;
    }
}
