package org.tmem4j.concurrent;

import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.FieldLayout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fields of a class extending {@link CacheLinePadding} start at least a cache line after the object does, as the
 * JVM lays them out: every {@code int}, reference or {@code long} of a subclass, the {@link PaddedSpinLock}'s lock
 * word among them. Without the padding's own {@code int}, the JVM put the lock word (or a subclass's first
 * {@code int}) into the 4-byte gap after a 12-byte header, on the line of the previous object's last bytes.
 * <p>
 * Field offsets come from JOL (Java Object Layout), which asks the running JVM where it put each field.
 */
final class CacheLinePaddingTest
{
    private static final int LINE = 64;

    /** A lock with the kinds of fields the per-CPU structures have: a count, a reference, a long. */
    @SuppressWarnings("unused")
    private static final class LockWithFields extends PaddedSpinLock
    {
        int count;
        Object table;
        long total;
        byte flag;
    }

    /** Padding and nothing but small fields after it. */
    @SuppressWarnings("unused")
    private static final class SmallFields extends CacheLinePadding
    {
        int first;
        short second;
        boolean third;
    }

    @Test
    void everySubclassFieldStartsALineAfterTheObject()
    {
        for (final Class<?> type : new Class<?>[]{LockWithFields.class, SmallFields.class})
        {
            for (final FieldLayout field : ClassLayout.parseClass(type).fields())
            {
                if (!field.hostClass().equals(CacheLinePadding.class.getName()))
                {
                    assertTrue(field.offset() >= LINE, field.hostClass() + "." + field.name() + " is at offset "
                        + field.offset() + ", on the line of the bytes before the object");
                }
            }
        }
    }
}
