package org.tmem4j.host;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import org.tmem4j.codec.CodecSpec;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

/**
 * The host store as a whole, as any client may ask for it ({@link HostBackend#storeFigures()}): what it is built of
 * and how full it is, every client's pages together. The per-client table ({@link HostStatus}) is no more private:
 * whoever may connect may read both.
 *
 * @param allocator       the store's allocator.
 * @param codec           the store's codec.
 * @param budgetBytes     the host-wide budget.
 * @param storedPages     pages stored, of every client.
 * @param compressedBytes bytes of stored objects.
 * @param poolBytes       bytes of allocator pages.
 * @param metadataBytes   the engine's own bytes.
 * @param putsRaw         pages kept uncompressed since the daemon started.
 */
public record HostStoreFigures(String allocator, CodecSpec codec, long budgetBytes, long storedPages,
    long compressedBytes, long poolBytes, long metadataBytes, long putsRaw)
{
    private static final int LONGS = 7;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(
        java.nio.ByteOrder.LITTLE_ENDIAN);

    static HostStoreFigures of(final Zcache zcache)
    {
        final ZcacheStats stats = zcache.stats();
        return new HostStoreFigures(zcache.allocatorName(), zcache.codec(), zcache.budgetBytes(),
            stats.storedPages(), stats.compressedBytes(), stats.poolBytes(), stats.metadataBytes(), stats.putsRaw());
    }

    /**
     * Writes the figures where a page goes: seven longs, the codec's level, then "allocator codec" in UTF-8.
     *
     * @return the bytes written.
     */
    int writeTo(final MemorySegment slot)
    {
        final long[] values = {budgetBytes, storedPages, compressedBytes, poolBytes, metadataBytes, putsRaw,
            codec.level()};
        for (int i = 0; i < LONGS; i++)
        {
            slot.set(LONG, 8L * i, values[i]);
        }
        final byte[] names = (allocator + " " + codec.name()).getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(names, 0, slot, ValueLayout.JAVA_BYTE, 8L * LONGS, names.length);
        return 8 * LONGS + names.length;
    }

    /**
     * Reads what {@link #writeTo} wrote.
     *
     * @throws IllegalStateException if the bytes are not figures.
     */
    static HostStoreFigures readFrom(final MemorySegment slot, final int length)
    {
        if (length <= 8 * LONGS || length > slot.byteSize())
        {
            throw new IllegalStateException("host daemon sent " + length + " bytes of store figures");
        }
        final long[] values = new long[LONGS];
        for (int i = 0; i < LONGS; i++)
        {
            values[i] = slot.get(LONG, 8L * i);
        }
        final byte[] names = new byte[length - 8 * LONGS];
        MemorySegment.copy(slot, ValueLayout.JAVA_BYTE, 8L * LONGS, names, 0, names.length);
        final String[] parts = new String(names, StandardCharsets.UTF_8).split(" ");
        if (parts.length != 2)
        {
            throw new IllegalStateException("host daemon sent store figures without allocator and codec");
        }
        return new HostStoreFigures(parts[0], new CodecSpec(parts[1], (int)values[6]), values[0], values[1],
            values[2], values[3], values[4], values[5]);
    }
}
