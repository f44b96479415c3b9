package org.tmem4j.jcstress.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.tmem4j.codec.CodecSpec;
import org.tmem4j.codec.CompressorPool;
import org.tmem4j.codec.CompressorSlot;
import org.tmem4j.tmem.PageSizes;

/**
 * What the compressor-pool tests do on each actor: hold a slot, stamp its scratch and output buffers with the
 * actor's own value, give other threads a moment to barge in, and read the stamps back. Two threads holding one
 * slot at once would overwrite each other's stamps (and, in the engine, each other's compressed pages).
 */
final class SlotExclusion
{
    private SlotExclusion()
    {
    }

    /**
     * @param selection how the pool picks a slot.
     * @return a pool of one slot, so that every pair of actors contends for it.
     */
    static CompressorPool onePool(final CompressorPool.SlotSelection selection)
    {
        return CompressorPool.create(CodecSpec.lz4(), 1, PageSizes.MIN, selection);
    }

    /**
     * @return {@code stamp} if the slot stayed the caller's for the whole hold, else what overwrote it.
     */
    static long holdAndStamp(final CompressorPool pool, final long stamp)
    {
        try (CompressorSlot slot = pool.acquire())
        {
            final MemorySegment scratch = slot.scratch();
            final MemorySegment output = slot.output();
            scratch.set(ValueLayout.JAVA_LONG, 0, stamp);
            output.set(ValueLayout.JAVA_LONG, 0, stamp);
            Thread.onSpinWait();
            final long seenScratch = scratch.get(ValueLayout.JAVA_LONG, 0);
            final long seenOutput = output.get(ValueLayout.JAVA_LONG, 0);
            return seenScratch != stamp ? seenScratch : seenOutput;
        }
    }
}
