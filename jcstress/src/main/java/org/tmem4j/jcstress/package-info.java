/**
 * jcstress tests of the concurrency primitives tmem4j's hot path relies on, one package per component: page memory
 * (a page handed to one thread is never handed to another, and a page published by id is readable through its
 * slab's segment), the allocators' handle publication and compaction against readers, the compressor pool's
 * mutual exclusion, and the engine's bucket locking; the engine's read pins (a shared get's pin against the
 * overwrite that frees its value) are tested in package {@code org.tmem4j.zcache}, where their class is.
 * <p>
 * Each test runs against real components, small enough that one state costs microseconds; whatever a state takes
 * (pages, allocators) its {@code @Arbiter} gives back, so a run of millions of states holds a bounded amount of
 * memory. Built and run outside the default build:
 * <pre>
 *   ./mvnw -B -ntp -Pjcstress -pl jcstress -am package -DskipTests
 *   java -jar jcstress/target/jcstress.jar -m quick
 * </pre>
 */
package org.tmem4j.jcstress;
