package org.tmem4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Pages;
import org.tmem4j.frontend.balloon.MemoryReading;
import org.tmem4j.frontend.balloon.Selfballoon;
import org.tmem4j.zcache.Zcache;

/**
 * A host client's selfballoon moves its share at the daemon: under pressure the share halves and the daemon refuses
 * the client's puts while it holds that many pages (never dropping a persistent one), when the pressure is gone the
 * share grows back; the daemon counts every move.
 */
class HostSelfballoonTest
{
    private static final long PAGE = 4096;

    @TempDir
    Path dir;

    private MemoryReading reading = new MemoryReading(0, MemoryReading.NO_LIMIT, 0, 0, 1L << 30);

    @Test
    void theBalloonMovesTheClientsShareAtTheDaemon()
    {
        final FrontendsConfig config = FrontendsConfig.builder().hostSocket(dir.resolve("h/host.sock"))
            .budgetBytes(200 * PAGE).selfballoonFloorBytes(40 * PAGE).selfballoonInterval(Duration.ofDays(1))
            .build();
        try (HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder().hostSocket(config.hostSocket())
            .budgetBytes(16L << 20).build(), HostConfig.defaults());
            HostBackend client = HostBackend.connect(daemon.socket(), 1);
            Arena arena = Arena.ofConfined())
        {
            client.shareBytes(config.budgetBytes());
            assertEquals(200, row(daemon, client).sharePages());
            final MemorySegment page = arena.allocate(PAGE);
            final int persistent = client.createPersistentPool(4096);
            final int ephemeral = client.createEphemeralPool(4096);
            for (int i = 0; i < 150; i++)
            {
                Pages.fill(page, i);
                assertEquals(Backend.STORED, client.put(persistent, 0, 0, 0, i, page));
            }
            try (Selfballoon balloon = Selfballoon.start(client.share(), config, () -> reading))
            {
                // pressure: the share halves, to 100 pages; the client holds 150, so its puts are refused
                reading = new MemoryReading(40, MemoryReading.NO_LIMIT, 0, 0, 1L << 30);
                assertEquals(100 * PAGE, balloon.tick());
                assertEquals(100, row(daemon, client).sharePages());
                Pages.fill(page, 1000);
                assertEquals(Zcache.NO_MEMORY, client.put(ephemeral, 1, 0, 0, 0, page));
                assertEquals(Zcache.NO_MEMORY, client.put(persistent, 0, 0, 0, 150, page));
                // no persistent page is dropped by a smaller share
                for (int i = 0; i < 150; i++)
                {
                    assertTrue(client.get(persistent, 0, 0, 0, i, page), "page " + i);
                    assertTrue(Pages.matches(page, i), "page " + i);
                }
                // under the share again, puts are taken up to it
                for (int i = 0; i < 60; i++)
                {
                    assertTrue(client.invalidatePage(persistent, 0, 0, 0, i));
                }
                for (int i = 0; i < 10; i++)
                {
                    Pages.fill(page, 2000 + i);
                    assertEquals(Backend.STORED, client.put(ephemeral, 2, 0, 0, i, page));
                }
                assertEquals(Zcache.NO_MEMORY, client.put(ephemeral, 2, 0, 0, 10, page));
                // the pressure gone, the share grows back an eighth of the gap per look, to the budget
                reading = new MemoryReading(0, MemoryReading.NO_LIMIT, 0, 0, 1L << 30);
                long share = 0;
                for (int i = 0; i < 100 && share < 200 * PAGE; i++)
                {
                    share = balloon.tick();
                }
                assertEquals(200 * PAGE, share);
                assertEquals(200, row(daemon, client).sharePages());
                assertEquals(Backend.STORED, client.put(ephemeral, 2, 0, 0, 10, page));
                final HostClientStats row = row(daemon, client);
                assertTrue(row.shareMoves() >= 3, row.toString());
                assertTrue(HostStatus.read(daemon.socket()).lines().anyMatch(line -> line.startsWith(
                    client.clientId() + " ") && line.matches(".* 200 +" + row.shareMoves() + " .*")),
                    HostStatus.read(daemon.socket()));
            }
        }
    }

    @Test
    void aConfiguredBalloonStartsWithTheBudgetAsTheShare()
    {
        final FrontendsConfig config = FrontendsConfig.builder().hostSocket(dir.resolve("h/host.sock"))
            .budgetBytes(64 * PAGE).selfballoon(true).selfballoonFloorBytes(8 * PAGE)
            .selfballoonInterval(Duration.ofDays(1)).build();
        try (HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder().hostSocket(config.hostSocket())
            .budgetBytes(16L << 20).build(), HostConfig.defaults());
            HostBackend client = HostBackend.connect(config))
        {
            assertNotNull(client.selfballoon());
            assertEquals(64 * PAGE, client.shareBytes());
            assertEquals(64, row(daemon, client).sharePages());
            assertEquals(1, row(daemon, client).shareMoves());
        }
    }

    private static HostClientStats row(final HostDaemon daemon, final HostBackend client)
    {
        return daemon.clientStats().stream().filter(row -> row.id() == client.clientId()).findFirst()
            .orElseThrow();
    }
}
