/**
 * Selfballooning: a controller that moves a zcache budget with the JVM's memory pressure (PSI, cgroup limits, heap
 * after GC), as Xen's selfballoon driver moved a guest's memory.
 */
package org.tmem4j.frontend.balloon;
