package org.tmem4j.cli.study;

/**
 * How full one zsmalloc size class is: the data behind the per-class occupancy chart.
 *
 * @param size        the class's object size in bytes.
 * @param objects     live objects in the class.
 * @param wastedBytes bytes of the class's pages not holding object data: room of free slots, the gap between each
 *                    object's own size and the class size, and zspage tails.
 */
public record SizeClassOccupancy(int size, long objects, long wastedBytes)
{
}
