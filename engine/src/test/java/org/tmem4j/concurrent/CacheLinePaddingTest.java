package org.tmem4j.concurrent;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import org.junit.jupiter.api.Test;
import sun.misc.Unsafe;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fields of a class extending {@link CacheLinePadding} start at least a cache line after the object does, as the
 * JVM lays them out: every {@code int}, reference or {@code long} of a subclass, the {@link PaddedSpinLock}'s lock
 * word among them. Without the padding's own {@code int}, the JVM put the lock word (or a subclass's first
 * {@code int}) into the 4-byte gap after a 12-byte header, on the line of the previous object's last bytes.
 * <p>
 * Field offsets come from {@code sun.misc.Unsafe} (module {@code jdk.unsupported}), the only public way to ask the JVM
 * where it put a field; the test only reads offsets.
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
    void everySubclassFieldStartsALineAfterTheObject() throws ReflectiveOperationException
    {
        final Unsafe unsafe = unsafe();
        for (final Class<?> type : new Class<?>[]{LockWithFields.class, SmallFields.class})
        {
            for (Class<?> c = type; c != CacheLinePadding.class; c = c.getSuperclass())
            {
                for (final Field field : c.getDeclaredFields())
                {
                    if (!Modifier.isStatic(field.getModifiers()))
                    {
                        @SuppressWarnings("removal")
                        final long offset = unsafe.objectFieldOffset(field);
                        assertTrue(offset >= LINE, c.getSimpleName() + "." + field.getName() + " is at offset " +
                            offset + ", on the line of the bytes before the object");
                    }
                }
            }
        }
    }

    private static Unsafe unsafe() throws ReflectiveOperationException
    {
        final Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        return (Unsafe)field.get(null);
    }
}
