package org.tmem4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.host.HostBackend;

/**
 * {@code tmem4j host} in a process of its own: it serves a client, {@code tmem4j stat --host-socket} shows the
 * client's row, and SIGTERM stops it cleanly.
 */
class HostCommandTest
{
    @TempDir
    Path dir;

    @Test
    void servesShowsItsClientsAndStopsOnSigterm() throws Exception
    {
        final Path socket = dir.resolve("h/host.sock");
        final Path log = dir.resolve("host.out");
        // to a file: destroy() closes a process's pipes, and the last line comes after it
        final Process daemon = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
            "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
            Tmem4jCommand.class.getName(), "host", "--socket", socket.toString(), "--budget", "16M")
            .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(log.toFile()).start();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.readString(log).isEmpty() && daemon.isAlive() && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            final String listening = Files.readString(log);
            assertTrue(listening.startsWith("tmem4j host: listening at " + socket), listening);
            try (HostBackend client = HostBackend.connect(socket, 2))
            {
                client.createPersistentPool(4096);
                final StatCommandTest.Run stat = StatCommandTest.run("--host-socket", socket.toString());
                assertEquals(0, stat.exit(), stat.err());
                assertTrue(stat.out().lines().anyMatch(line -> line.startsWith(client.clientId() + " ")
                    && line.contains(Long.toString(ProcessHandle.current().pid()))), stat.out());
                daemon.destroy();
                assertTrue(client.awaitGone(60, TimeUnit.SECONDS), "the client sees the daemon gone");
            }
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
            assertEquals("tmem4j host: stopped", Files.readAllLines(log).getLast());
            assertFalse(Files.exists(socket), "the socket is removed");
        }
        finally
        {
            daemon.destroyForcibly();
        }
    }

    @Test
    void statWithNoDaemonSaysSo()
    {
        final StatCommandTest.Run stat = StatCommandTest.run("--host-socket", dir.resolve("none.sock").toString());
        assertEquals(StatCommand.NO_COUNTERS, stat.exit());
        assertTrue(stat.err().contains("no tmem4j host daemon answers at"), stat.err());
    }
}
