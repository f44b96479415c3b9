package org.tmem4j.host;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.tmem4j.frontend.Pages;

/**
 * A client in a process of its own, for the tests that kill it: {@code ClientMain SOCKET}; fills a private
 * persistent and ephemeral pool, prints {@code ready}, and keeps every slot busy with puts until killed.
 */
public final class ClientMain
{
    private ClientMain()
    {
    }

    public static void main(final String[] args)
    {
        final HostBackend backend = HostBackend.connect(Path.of(args[0]), 2);
        final int persistent = backend.createPersistentPool(4096);
        final int ephemeral = backend.createEphemeralPool(4096);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            for (int i = 0; i < 100; i++)
            {
                Pages.fill(page, i);
                backend.put(persistent, 1, 2, 3, i, page);
                backend.put(ephemeral, 1, 2, 3, i, page);
            }
        }
        for (int t = 0; t < 3; t++)
        {
            Thread.ofPlatform().start(() ->
            {
                try (Arena arena = Arena.ofConfined())
                {
                    final MemorySegment page = arena.allocate(4096);
                    for (long i = 0; ; i++)
                    {
                        Pages.fill(page, i);
                        backend.put(persistent, 4, 5, 6, (int)(i & 1023), page);
                    }
                }
            });
        }
        System.out.println("ready");
        System.out.flush();
    }
}
