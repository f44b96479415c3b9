package org.tmem4j.host;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Pages;
import org.tmem4j.frontend.zcache.ZcacheBackend;

/**
 * The point of the host tier, measured: four clients, one busy and three idle after filling their caches. Each
 * with a private store of budget B, the busy one's working set does not fit; on one host store of 2B shared by the
 * four, the idle ones' cold pages make room and the busy one hits more. Every hit is checked byte for byte.
 * {@code -Dtmem4j.host.sharingMiB=64} runs the README's sizes (default 4).
 */
class HostSharingTest
{
    private static final long MIB = 1 << 20;
    private static final long BUDGET = Long.getLong("tmem4j.host.sharingMiB", 4) * MIB;
    /** The busy client's working set: about 1.5 private budgets once compressed (the pages compress about 2:1). */
    private static final int WORKING_SET = (int)(BUDGET * 3 / 4096);
    private static final int ROUNDS = 4;

    @TempDir
    Path dir;

    @Test
    void theBusyClientHitsMoreOnOneSharedStoreThanOnItsOwn()
    {
        final double privateRate;
        final List<ZcacheBackend> privates = new ArrayList<>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                privates.add(ZcacheBackend.create(FrontendsConfig.builder().budgetBytes(BUDGET).build()));
            }
            privateRate = skewedLoad(new ArrayList<>(privates));
        }
        finally
        {
            privates.forEach(ZcacheBackend::close);
        }
        final double hostRate;
        try (HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder().hostSocket(dir.resolve("h/host.sock"))
            .budgetBytes(2 * BUDGET).build(), HostConfig.defaults()))
        {
            final List<HostBackend> clients = new ArrayList<>();
            try
            {
                for (int i = 0; i < 4; i++)
                {
                    clients.add(HostBackend.connect(daemon.socket(), 1));
                }
                hostRate = skewedLoad(new ArrayList<>(clients));
            }
            finally
            {
                clients.forEach(HostBackend::close);
            }
        }
        System.out.printf("skewed load, busy client's hit rate: 4 private stores of %d MiB %.3f, one host store of "
            + "%d MiB %.3f%n", BUDGET / MIB, privateRate, 2 * BUDGET / MIB, hostRate);
        assertTrue(hostRate > privateRate, "shared " + hostRate + " against private " + privateRate);
    }

    /**
     * Every client fills its cache with a working set; then the first keeps cycling through its own (a get, and a
     * put back after a miss or a hit, as a page cache does) while the others stay idle.
     *
     * @return the busy client's hit rate over the busy rounds.
     */
    private static double skewedLoad(final List<Backend> clients)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            final int[] pools = new int[clients.size()];
            for (int c = 0; c < clients.size(); c++)
            {
                pools[c] = clients.get(c).createEphemeralPool(4096);
                for (int i = 0; i < WORKING_SET / 2; i++)
                {
                    Pages.fill(page, tag(c, i));
                    clients.get(c).put(pools[c], i, c, 0, 0, page);
                }
            }
            final Backend busy = clients.getFirst();
            long hits = 0;
            long gets = 0;
            for (int round = 0; round < ROUNDS; round++)
            {
                for (int i = 0; i < WORKING_SET; i++)
                {
                    gets++;
                    if (busy.get(pools[0], i, 0, 0, 0, page))
                    {
                        assertTrue(Pages.matches(page, tag(0, i)), "page " + i);
                        hits++;
                    }
                    Pages.fill(page, tag(0, i));
                    busy.put(pools[0], i, 0, 0, 0, page);
                }
            }
            return (double)hits / gets;
        }
    }

    private static long tag(final int client, final int index)
    {
        return (long)client << 32 | index;
    }
}
