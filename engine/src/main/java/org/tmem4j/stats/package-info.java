/**
 * Observability: counters of the engine, its allocators and frontends, shown over JMX and in a memory-mapped
 * counters file that another process reads while the engine runs ({@code ./tmem4j stat}, the {@code cat debugfs}
 * of tmem4j).
 * <pre>
 *   component --implements--&gt; CounterSource --register--&gt; CounterRegistry --+--&gt; JmxCounterPublisher (MBeans)
 *                                                                           +--&gt; CountersFilePublisher
 *                                                                                    | every 100 ms
 *                                                                                    v
 *                                        other process: CountersFileReader &lt;-- ${java.io.tmpdir}/tmem4j-PID.counters
 * </pre>
 * Wiring an engine:
 * <pre>{@code
 *   CounterRegistry counters = new CounterRegistry();
 *   counters.register(CounterSource.builder("memory", "pages")
 *       .counter("pages_in_use", () -> memory.stats().pagesInUse())
 *       .build());
 *   JmxCounterPublisher jmx = JmxCounterPublisher.start(counters);
 *   CountersFilePublisher file = CountersFilePublisher.builder(counters).start();
 *   ...
 *   file.close(); jmx.close();
 * }</pre>
 */
package org.tmem4j.stats;
