package org.tmem4j.concurrent;

/**
 * 64 bytes of fields that a class written on a hot path extends, so that its own fields start a cache line after
 * whatever object lies before it: objects made one after the other (one per CPU or per compressor slot) then never
 * put two threads' fields on one line. The JVM lays out a superclass's fields first, so this holds however it orders
 * a class's own fields.
 * <p>
 * <b>The header gap.</b> With compressed class pointers an object's header is 12 bytes, and the JVM fills the 4-byte
 * gap before the first 8-byte-aligned field with any {@code int}, {@code float} or reference field of the class or
 * of a subclass. Without {@link #p00} the first such field of a subclass (the lock word of {@link PaddedSpinLock}, a
 * count) landed at offset 12, in front of the padding and on the line of the last bytes of the object before: two
 * CPUs' lock words shared a line whenever the heap laid one CPU's structure after the other's. {@code p00} takes that
 * gap, so every subclass field starts at least 64 bytes after the object does.
 */
@SuppressWarnings("unused")
public abstract class CacheLinePadding
{
    private int p00;
    private long p01;
    private long p02;
    private long p03;
    private long p04;
    private long p05;
    private long p06;
    private long p07;
    private long p08;

    /**
     * For subclasses.
     */
    protected CacheLinePadding()
    {
    }
}
