package org.tmem4j.concurrent;

/**
 * 64 bytes of fields that a class written on a hot path extends, so that its own fields start a cache line after
 * whatever object lies before it: objects made one after the other (one per CPU or per compressor slot) then never
 * put two threads' fields on one line. The JVM lays out a superclass's fields first, so this holds however it orders
 * a class's own fields.
 */
@SuppressWarnings("unused")
public abstract class CacheLinePadding
{
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
