package org.tmem4j.micrometer;

// README metrics example begins
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.CounterPublication;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.cleancache.Cleancache;
import org.tmem4j.frontend.cleancache.CleancacheFs;
import org.tmem4j.frontend.cleancache.FileKey;
import org.tmem4j.micrometer.Tmem4jMetrics;

public class ReadmeMetricsExample {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

        FrontendsConfig config = FrontendsConfig.builder().allocator("zsmalloc").budgetBytes(64L << 20).build();
        BackendRegistry registry = new BackendRegistry();
        Cleancache cleancache = Cleancache.create(registry, config);
        try (registry; cleancache;
             CounterPublication publication = CounterPublication.start(dir.resolve("app.counters"));  // JMX, stat
             Tmem4jMetrics metrics = Tmem4jMetrics.following(publication.registry(), Tags.of("app", "shop"));
             Arena arena = Arena.ofConfined()) {
            metrics.bindTo(prometheus);                           // every published source, as it comes and goes
            publication.add(cleancache.counters());               // frontend/cleancache
            publication.addEngine(registry.register("zcache", config));  // engine, allocator, memory, pool

            CleancacheFs fs = cleancache.initFs();
            MemorySegment page = arena.allocate(4096);
            for (int i = 0; i < 100; i++) {
                page.fill((byte) i);
                fs.putPage(new FileKey(1, 2, 3), i, page);
            }
            prometheus.scrape().lines().filter(line -> line.startsWith("tmem4j_engine_puts_operations_total{"))
                .forEach(System.out::println);
        }
    }
}
// README metrics example ends
