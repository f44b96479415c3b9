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
 * Every counter is described once ({@link org.tmem4j.stats.CounterDescription}: name, counter or gauge, unit,
 * meaning), usually in a {@link org.tmem4j.stats.CounterCatalog} next to the stats record it reads; JMX attributes
 * and their descriptors, the counters file, {@code ./tmem4j stat} and the Micrometer binder all show that description.
 * Wiring an engine:
 * <pre>{@code
 *   CounterRegistry counters = new CounterRegistry();
 *   counters.register(CounterSource.builder("memory", "pages")
 *       .gauge("pages_in_use", CounterUnit.PAGES, "pages handed out and not yet freed",
 *           () -> memory.stats().pagesInUse())
 *       .build());
 *   JmxCounterPublisher jmx = JmxCounterPublisher.start(counters);
 *   CountersFilePublisher file = CountersFilePublisher.builder(counters).start();
 *   ...
 *   file.close(); jmx.close();
 * }</pre>
 */
package org.tmem4j.stats;
