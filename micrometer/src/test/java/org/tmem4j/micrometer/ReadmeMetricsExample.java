package org.tmem4j.micrometer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.CounterPublication;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;

/**
 * The README's Micrometer example: the text between the markers is the README's second java block, and
 * {@link ReadmeTest} runs it.
 */
final class ReadmeMetricsExample
{
    private ReadmeMetricsExample()
    {
    }

    /**
     * @param meterRegistry where the meters go.
     * @param countersFile  where the counters file goes.
     * @return the engine's puts as Micrometer counted them.
     */
    static double run(final MeterRegistry meterRegistry, final Path countersFile) throws Exception
    {
        // README metrics example begins
        FrontendsConfig config = FrontendsConfig.builder().allocator("zsmalloc").budgetBytes(64L << 20).build();
        BackendRegistry registry = new BackendRegistry();
        Cleancache cleancache = Cleancache.create(registry, config);
        try (registry; cleancache;
             CounterPublication publication = CounterPublication.start(countersFile);  // JMX, ./tmem4j stat
             Tmem4jMetrics metrics = Tmem4jMetrics.following(publication.registry(), Tags.of("app", "shop"));
             Arena arena = Arena.ofConfined()) {
            metrics.bindTo(meterRegistry);                        // every published source, as it comes and goes
            publication.add(cleancache.counters());               // frontend/cleancache
            publication.addEngine(registry.register("zcache", config));  // engine, allocator, memory

            CleancacheFs fs = cleancache.initFs();
            MemorySegment page = arena.allocate(4096);
            for (int i = 0; i < 100; i++) {
                page.fill((byte) i);
                fs.putPage(new FileKey(1, 2, 3), i, page);
            }
            return meterRegistry.get("tmem4j.engine.puts").tag("app", "shop").functionCounter().count();
        }
        // README metrics example ends
    }
}
