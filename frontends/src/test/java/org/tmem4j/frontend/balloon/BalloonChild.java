package org.tmem4j.frontend.balloon;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.zcache.ZcacheBackend;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.Zcache;

/**
 * A JVM that joins a memory cgroup and then drives its working set toward the limit: a Zcache with a budget above
 * the limit, filled with compressible pages. {@code BalloonChild CGROUP_PROCS BUDGET_MIB SELFBALLOON PAGES}; prints
 * {@code survived budget=N} and exits 0 if the kernel let it finish.
 */
public final class BalloonChild
{
    private BalloonChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        Files.writeString(Path.of(args[0]), Long.toString(ProcessHandle.current().pid()));
        final FrontendsConfig config = FrontendsConfig.builder().budgetBytes(Long.parseLong(args[1]) << 20)
            .selfballoon(Boolean.parseBoolean(args[2])).selfballoonInterval(Duration.ofMillis(10))
            .selfballoonReserveBytes(64L << 20).selfballoonFloorBytes(1L << 20).build();
        final long pages = Long.parseLong(args[3]);
        try (ZcacheBackend backend = ZcacheBackend.create(config); Arena arena = Arena.ofConfined())
        {
            final Zcache zcache = backend.zcache();
            final int pool = zcache.createPool(PoolKind.EPHEMERAL, 4096);
            final MemorySegment page = arena.allocate(4096);
            final SplittableRandom random = new SplittableRandom(1);
            for (long i = 0; i < pages; i++)
            {
                // a fifth noise, the rest runs of a few letters: compresses about 3:1
                for (int offset = 0; offset < 4096; offset += 8)
                {
                    page.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, offset % 40 == 0 ? random.nextLong()
                        : 0x6161616162626262L + (i & 7));
                }
                zcache.put(pool, i, 0, 0, 0, page);
                if (i % 50_000 == 0)
                {
                    // how far it got, should the kernel kill it
                    System.out.println("pages=" + i + " budget=" + zcache.budgetBytes() + " reserved="
                        + zcache.stats().memory().reservedBytes());
                }
                if ((i & 1023) == 0)
                {
                    // the looks come from another thread; a working set grows no faster than a real one would
                    Thread.sleep(1);
                }
            }
            System.out.println("survived budget=" + zcache.budgetBytes());
        }
    }
}
