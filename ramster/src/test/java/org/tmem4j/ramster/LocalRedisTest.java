package org.tmem4j.ramster;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LocalRedis} takes a server on its port as its own only if it is the process it started: a stranger that took
 * the port while it was stopped is refused, and once the stranger is gone it starts again on its port.
 */
final class LocalRedisTest
{
    @Test
    void anotherServerOnItsPortIsNotTakenForIt() throws Exception
    {
        RedisFixtures.ensureInstalled();
        final Path strangerDir = Files.createTempDirectory("tmem4j-redis-stranger-");
        try (LocalRedis redis = LocalRedis.builder().start())
        {
            final int port = redis.port();
            redis.stop();
            final Process stranger = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--dir", strangerDir.toString())).redirectErrorStream(true)
                .redirectOutput(strangerDir.resolve("stdout.log").toFile()).start();
            try
            {
                awaitPong(redis);
                final IllegalStateException taken = assertThrows(IllegalStateException.class, redis::start);
                assertTrue(taken.getMessage().contains("port " + port + " is taken by another redis-server, process "
                    + stranger.pid()), taken.getMessage());
                assertFalse(redis.isRunning());
            }
            finally
            {
                stranger.destroyForcibly().waitFor();
            }
            redis.start();
            assertEquals(port, redis.port());
            assertEquals("dir\n" + redis.dir().toRealPath(), redis.command("CONFIG", "GET", "dir"));
        }
        finally
        {
            try (var files = Files.list(strangerDir))
            {
                for (final Path file : files.toList())
                {
                    Files.delete(file);
                }
            }
            Files.delete(strangerDir);
        }
    }

    private static void awaitPong(final LocalRedis redis) throws InterruptedException
    {
        for (int attempt = 0; attempt < 500; attempt++)
        {
            try
            {
                if (redis.command("PING").equals("PONG"))
                {
                    return;
                }
            }
            catch (final UncheckedIOException notYet)
            {
                // the stranger is still starting
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the second redis-server did not answer on port " + redis.port());
    }
}
