package org.tmem4j.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.tmem4j.frontend.Backend;
import org.tmem4j.frontend.Pages;

/**
 * A named client in a process of its own, driven by commands on its standard input, one answer line each:
 * <pre>
 *   persist N   puts persistent pages 0..N-1                      ok STORED
 *   put N       puts N ephemeral pages, each under a new key       ok
 *   pace R S E  puts ephemeral pages at R a second from System.nanoTime() S to E (the same clock in every
 *               process of the host): the n-th put is due at S + n / R, a late client catches up; LAG is
 *               the longest a put was late, in ms, after the first half second            ok PUTS LAG
 *   run MILLIS  puts ephemeral pages as fast as it can for MILLIS   ok PUTS
 *   check       gets every persistent page stored, byte for byte   ok VERIFIED, or bad INDEX
 * </pre>
 * {@code FairnessClientMain SOCKET NAME}.
 */
public final class FairnessClientMain
{
    private FairnessClientMain()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final HostBackend backend = HostBackend.connect(Path.of(args[0]), 1, args[1]);
        final long me = (long)args[1].hashCode() << 32;
        final int ephemeral = backend.createEphemeralPool(4096);
        final int persistent = backend.createPersistentPool(4096);
        int persisted = 0;
        long next = 0;
        final BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment page = arena.allocate(4096);
            for (String line = commands.readLine(); line != null; line = commands.readLine())
            {
                final String[] command = line.split(" ");
                final String answer;
                switch (command[0])
                {
                    case "persist" ->
                    {
                        persisted = Integer.parseInt(command[1]);
                        int stored = 0;
                        for (int i = 0; i < persisted; i++)
                        {
                            Pages.fill(page, me | i);
                            if (backend.put(persistent, 0, 0, 0, i, page) == Backend.STORED)
                            {
                                stored++;
                            }
                        }
                        answer = "ok " + stored;
                    }
                    case "put" ->
                    {
                        for (int i = Integer.parseInt(command[1]); i > 0; i--)
                        {
                            next = putEphemeral(backend, ephemeral, page, me, next);
                        }
                        answer = "ok";
                    }
                    case "pace" ->
                    {
                        final double interval = 1e9 / Double.parseDouble(command[1]);
                        final long start = Long.parseLong(command[2]);
                        final long end = Long.parseLong(command[3]);
                        long puts = 0;
                        long lag = 0;
                        for (long now = System.nanoTime(); now < end; now = System.nanoTime())
                        {
                            final long due = start + (long)(puts * interval);
                            if (now >= due)
                            {
                                if (due - start > 500_000_000L)
                                {
                                    lag = Math.max(lag, now - due);
                                }
                                next = putEphemeral(backend, ephemeral, page, me, next);
                                puts++;
                            }
                            else
                            {
                                Thread.onSpinWait();
                            }
                        }
                        answer = "ok " + puts + " " + lag / 1_000_000;
                    }
                    case "run" ->
                    {
                        final long end = System.nanoTime() + Long.parseLong(command[1]) * 1_000_000;
                        long puts = 0;
                        while (System.nanoTime() < end)
                        {
                            next = putEphemeral(backend, ephemeral, page, me, next);
                            puts++;
                        }
                        answer = "ok " + puts;
                    }
                    case "check" ->
                    {
                        int verified = 0;
                        String bad = null;
                        for (int i = 0; i < persisted && bad == null; i++)
                        {
                            if (backend.get(persistent, 0, 0, 0, i, page))
                            {
                                if (!Pages.matches(page, me | i))
                                {
                                    bad = "bad " + i;
                                }
                                verified++;
                            }
                        }
                        answer = bad != null ? bad : "ok " + verified;
                    }
                    default -> answer = "unknown command " + line;
                }
                System.out.println(answer);
                System.out.flush();
            }
        }
        backend.close();
    }

    private static long putEphemeral(final HostBackend backend, final int pool, final MemorySegment page,
        final long me, final long key)
    {
        Pages.fill(page, me | 1L << 31 | key);
        backend.put(pool, key, 1, 0, 0, page);
        return key + 1;
    }
}
