package org.tmem4j.hardening;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;
import org.tmem4j.zcache.ZcacheStats;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The soak: minutes of random checked traffic ({@link CheckedTraffic}) on twice as many threads as processors, over
 * both allocators at once (one engine each under a small budget: zbud with LZ4 evicts all the time, zsmalloc with
 * zstd packs the working set into it), sampling the process every few seconds. The live heap, the page memory and
 * the resident set must not keep growing: the lowest sample of the last third is compared with the lowest of the
 * middle third (the working set is in place and the JIT warm by then; lows, because the resident set swings with
 * the collector), printed, and held to bounds far below what a leak of one object per operation would reach over
 * millions of operations.
 * <p>
 * Opt-in (tag {@code soak}, left out of the default test run): {@code ./tmem4j test -Psoak}, or for just this
 * class {@code ./mvnw -B -ntp -Psoak -pl frontends -am verify -Dtest=SoakTest}.
 * Duration {@code -Dtmem4j.soak.seconds=N} (default 180), seed {@code -Dtmem4j.seed=N}.
 */
@Tag("soak")
final class SoakTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final long SECONDS = Long.getLong("tmem4j.soak.seconds", 180);
    private static final long SAMPLE_SECONDS = Math.max(1, SECONDS / 18);
    private static final long BUDGET = 6L << 20;
    private static final long MIB = 1L << 20;
    private static final long HEAP_GROWTH_LIMIT = 32 * MIB;
    private static final long RESIDENT_GROWTH_LIMIT = 64 * MIB;
    private static final long NATIVE_GROWTH_LIMIT = 16 * MIB;

    @Test
    void randomTrafficOnAllThreadsDoesNotGrowHeapOrOffHeap() throws Exception
    {
        final int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        final String[] allocators = {"zbud", "zsmalloc"};
        final List<Zcache> engines = new ArrayList<>();
        final List<CheckedTraffic> traffic = new ArrayList<>();
        final List<FaultTally> tallies = new ArrayList<>();
        final List<Thread> runners = new ArrayList<>();
        final List<List<String>> failures = new ArrayList<>();
        for (final String allocator : allocators)
        {
            final Zcache zcache = Zcache.builder().allocator(FaultInjectingAllocatorProvider.faulty(allocator))
                .codec(allocator.equals("zbud") ? "lz4" : "zstd:1").budgetBytes(BUDGET).checksum(true).build();
            engines.add(zcache);
            final int[] pools = {zcache.createPool(PoolKind.EPHEMERAL, 4096),
                zcache.createPool(PoolKind.PERSISTENT, 4096), zcache.createSharedPool(PoolKind.EPHEMERAL, 7, 7, 4096)};
            final FaultTally tally = new FaultTally("soak-" + allocator);
            tallies.add(tally);
            final CheckedTraffic t = new CheckedTraffic(new EngineFaultsTest.EngineStore(zcache), pools,
                new boolean[] {false, true, false}, 4096, threads, 16, 256, SEED, tally);
            traffic.add(t);
            final List<String> seen = new ArrayList<>();
            failures.add(seen);
            runners.add(Thread.ofPlatform().name("soak-" + allocator).start(() ->
            {
                try
                {
                    seen.addAll(t.run(Long.MAX_VALUE / 2, total -> { }));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }));
        }

        final List<MemoryFootprint[]> samples = new ArrayList<>();
        final long start = System.nanoTime();
        final long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
        System.out.printf("SOAK %d s, %d threads per engine, engines: zbud/lz4 and zsmalloc/zstd:1, budget %d MiB "
            + "each, seed %d%n", SECONDS, threads, BUDGET / MIB, SEED);
        System.out.println("SOAK   t(s)      ops  heap(MiB)  rss(MiB)  rss-jvm pools(MiB)  zbud mapped(MiB)  "
            + "zsmalloc mapped(MiB)");
        while (System.nanoTime() < end)
        {
            Thread.sleep(TimeUnit.SECONDS.toMillis(SAMPLE_SECONDS));
            final MemoryFootprint[] sample = new MemoryFootprint[allocators.length];
            for (int i = 0; i < allocators.length; i++)
            {
                sample[i] = MemoryFootprint.sample(FaultInjectingAllocatorProvider.last(allocators[i]).memory());
            }
            samples.add(sample);
            long ops = 0;
            for (final CheckedTraffic t : traffic)
            {
                ops += t.opsDone();
            }
            System.out.printf("SOAK %6d %8d %10.1f %9.1f %19.1f %17.1f %21.1f%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), ops, (double)sample[0].heapBytes() / MIB,
                (double)sample[0].residentBytes() / MIB, (double)sample[0].nativeBytes() / MIB,
                (double)sample[0].reservedBytes() / MIB, (double)sample[1].reservedBytes() / MIB);
        }
        traffic.forEach(CheckedTraffic::stop);
        for (final Thread runner : runners)
        {
            runner.join();
        }
        for (int i = 0; i < allocators.length; i++)
        {
            final ZcacheStats stats = engines.get(i).stats();
            tallies.get(i).add("ops", traffic.get(i).opsDone());
            tallies.get(i).add("evictions", stats.evictions());
            tallies.get(i).add("corrupt pages", stats.corruptPages());
            tallies.get(i).print();
            engines.get(i).close();
            final List<String> seen = failures.get(i);
            assertTrue(seen.isEmpty(), () -> seen.size() + " wrong answers (seed " + SEED + "), first: "
                + seen.getFirst());
        }

        // the resident set swings by tens of MiB between samples as the collector touches and releases heap pages;
        // a leak raises its floor, so compare the lowest sample of the middle third with that of the last third
        final int third = Math.max(1, samples.size() / 3);
        final List<MemoryFootprint[]> middleThird = samples.subList(third, Math.max(third + 1, 2 * third));
        final List<MemoryFootprint[]> lastThird =
            samples.subList(Math.min(samples.size() - 1, 2 * third), samples.size());
        final long heapGrowth =
            floor(lastThird, MemoryFootprint::heapBytes) - floor(middleThird, MemoryFootprint::heapBytes);
        final long residentGrowth =
            floor(lastThird, MemoryFootprint::residentBytes) - floor(middleThird, MemoryFootprint::residentBytes);
        final long nativeGrowth =
            floor(lastThird, MemoryFootprint::nativeBytes) - floor(middleThird, MemoryFootprint::nativeBytes);
        long maxMapped = 0;
        for (final MemoryFootprint[] sample : samples)
        {
            for (final MemoryFootprint footprint : sample)
            {
                maxMapped = Math.max(maxMapped, footprint.reservedBytes());
            }
        }
        System.out.printf("SOAK growth of the lowest sample, middle third to last third: heap %+.1f MiB, rss %+.1f "
            + "MiB, rss less the JVM's pools %+.1f MiB; page memory at most %.1f MiB mapped per engine "
            + "(budget %d MiB)%n",
            (double)heapGrowth / MIB, (double)residentGrowth / MIB, (double)nativeGrowth / MIB, (double)maxMapped / MIB,
            BUDGET / MIB);
        assertTrue(maxMapped <= BUDGET, "page memory above its budget: " + maxMapped);
        assertTrue(heapGrowth < HEAP_GROWTH_LIMIT, "live heap grew " + heapGrowth / MIB + " MiB");
        if (samples.getFirst()[0].residentBytes() >= 0)
        {
            assertTrue(residentGrowth < RESIDENT_GROWTH_LIMIT, "resident set grew " + residentGrowth / MIB + " MiB");
            assertTrue(nativeGrowth < NATIVE_GROWTH_LIMIT, "native memory (rss less the JVM's pools) grew "
                + nativeGrowth / MIB + " MiB");
        }
    }

    private static long floor(final List<MemoryFootprint[]> samples, final ToLongFunction<MemoryFootprint> value)
    {
        return samples.stream().mapToLong(sample -> value.applyAsLong(sample[0])).min().orElse(0);
    }
}
