package org.tmem4j.ramster;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * One page as stored in Redis: a hash field's value.
 * <pre>
 *   byte 0      format version (2: zstd payloads are magicless frames without content size)
 *   byte 1      codec id: what the payload is compressed with ({@link #codecId()}, chosen by the writer)
 *   bytes 2-5   page size in bytes (little-endian)
 *   bytes 6-9   CRC32C over the object key, the field, bytes 0-5 and the payload (little-endian)
 *   bytes 10-   payload: the compressed page exactly as zcache stored it
 * </pre>
 * The checksum covers the key and field too, so a value copied under another key fails as surely as a value
 * overwritten with garbage; either is a miss, never wrong bytes.
 *
 * @param codecId  the codec the payload is compressed with.
 * @param pageSize the page size in bytes.
 * @param payload  the compressed bytes.
 */
public record RemotePage(int codecId, int pageSize, byte[] payload)
{
    /** The format version written and accepted. */
    static final byte VERSION = 2;
    /** Bytes before the payload. */
    static final int HEADER_BYTES = 10;

    /**
     * Encodes a page for one key and field.
     *
     * @param key      the object key.
     * @param field    the page's field.
     * @param codecId  the codec id, 0 to 255.
     * @param pageSize the page size.
     * @param payload  the compressed bytes.
     * @return the value to store.
     */
    static byte[] encode(final byte[] key, final byte[] field, final int codecId, final int pageSize,
        final MemorySegment payload)
    {
        final int length = Math.toIntExact(payload.byteSize());
        final byte[] value = new byte[HEADER_BYTES + length];
        final ByteBuffer buffer = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(VERSION).put((byte)codecId).putInt(pageSize);
        MemorySegment.copy(payload, 0, MemorySegment.ofArray(value), HEADER_BYTES, length);
        buffer.putInt(6, checksum(key, field, value));
        return value;
    }

    /**
     * Decodes a value read from one key and field.
     *
     * @param key   the object key it was read from.
     * @param field the field it was read from.
     * @param value the value.
     * @return the page, or {@code null} if the value is not a page of this format for this key and field.
     */
    static RemotePage decode(final byte[] key, final byte[] field, final byte[] value)
    {
        if (value.length < HEADER_BYTES || value[0] != VERSION)
        {
            return null;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if (buffer.getInt(6) != checksum(key, field, value))
        {
            return null;
        }
        final byte[] payload = new byte[value.length - HEADER_BYTES];
        System.arraycopy(value, HEADER_BYTES, payload, 0, payload.length);
        return new RemotePage(value[1] & 0xFF, buffer.getInt(2), payload);
    }

    private static int checksum(final byte[] key, final byte[] field, final byte[] value)
    {
        final CRC32C crc = new CRC32C();
        crc.update(key);
        crc.update(field);
        crc.update(value, 0, 6);
        crc.update(value, HEADER_BYTES, value.length - HEADER_BYTES);
        return (int)crc.getValue();
    }
}
