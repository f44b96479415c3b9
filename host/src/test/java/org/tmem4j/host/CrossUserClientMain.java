package org.tmem4j.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.Pages;

/**
 * A client run as another user ({@code setpriv}), driven by one command on its standard input:
 * <pre>
 *   create   connects, creates shared pool 7:8 with pages tag 77 at 0..3 and a private pool with page
 *            tag 78 at 0                                                                                ok
 *   join N   connects, joins shared pool 7:8 and reads its page N (a hit takes an ephemeral page), then
 *            creates a private pool and reads page 0 there           shared hit|miss|denied, private hit|miss;
 *            or refused (could not connect)
 * </pre>
 * {@code CrossUserClientMain SOCKET}; a created client keeps its pools until its input ends.
 */
public final class CrossUserClientMain
{
    private CrossUserClientMain()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        final String command = commands.readLine();
        final HostBackend backend;
        try
        {
            backend = HostBackend.connect(Path.of(args[0]), 1);
        }
        catch (final UncheckedIOException | IllegalStateException ex)
        {
            System.out.println("refused");
            System.out.flush();
            return;
        }
        try (backend; Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            if ("create".equals(command))
            {
                final int shared = backend.createSharedEphemeralPool(7, 8, 4096);
                final int own = backend.createEphemeralPool(4096);
                Pages.fill(page, 77);
                int sharedPut = Backend.STORED;
                for (int i = 0; i < 4; i++)
                {
                    sharedPut = Math.min(sharedPut, backend.put(shared, 1, 0, 0, i, page));
                }
                Pages.fill(page, 78);
                final int ownPut = backend.put(own, 1, 0, 0, 0, page);
                System.out.println(sharedPut == Backend.STORED && ownPut == Backend.STORED && own == 1 ? "ok"
                    : "not stored: " + sharedPut + " " + ownPut + " handle " + own);
                System.out.flush();
                commands.readLine();
                return;
            }
            final int index = Integer.parseInt(command.substring("join ".length()));
            String joined;
            try
            {
                final int shared = backend.createSharedEphemeralPool(7, 8, 4096);
                joined = backend.get(shared, 1, 0, 0, index, page) ? Pages.matches(page, 77) ? "hit" : "wrong"
                    : "miss";
            }
            catch (final IllegalStateException denied)
            {
                joined = "denied";
            }
            // the creator's private page is at (1, 0, 0, 0) of its own pool: nobody else's pool has it
            final int own = backend.createEphemeralPool(4096);
            final String mine = backend.get(own, 1, 0, 0, 0, page) ? "hit" : "miss";
            System.out.println("shared " + joined + ", private " + mine);
            System.out.flush();
        }
    }
}
