package org.tmem4j.host;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import org.tmem4j.tmem.PoolKind;

/**
 * The daemon's side of one client JVM: its credentials, its shared region, its connections and its pools.
 * <p>
 * <b>Lifetime.</b> A session begins with the control connection's hello and ends when any of its connections ends
 * (the JVM exited, was killed, or broke the protocol): {@link #end()} closes every connection, so the threads
 * serving them leave, and the last thread to {@link #leave()} frees the session's pools and unmaps its region.
 * No thread touches the region after that, and a killed client's pools are gone as soon as the kernel has closed
 * its sockets.
 * <p>
 * <b>Pools</b> are known to the client by handles that index this session's table only, so a forged pool id
 * finds nothing, and one client can never name another's pool.
 */
final class ClientSession
{
    /** A pool as this client sees it. */
    record Pool(int zcacheId, PoolKind kind, int pageSize, SharedKey shared)
    {
    }

    /** A shared pool's uuid. */
    record SharedKey(long uuidHi, long uuidLo)
    {
    }

    final int id;
    /** The name the client gave itself (empty for none): it selects among its user's settings only. */
    final String name;
    final UserPrincipal user;
    final GroupPrincipal group;
    final long pid;
    final int slots;
    final long persistentCap;
    final int weight;
    final LongAdder puts = new LongAdder();
    final LongAdder stored = new LongAdder();
    final LongAdder gets = new LongAdder();
    final LongAdder hits = new LongAdder();
    /** Pages this client may hold of every kind, as its selfballoon last said; {@link HostConfig#UNLIMITED}. */
    volatile long sharePages = HostConfig.UNLIMITED;
    /** Times the client moved its share. */
    final AtomicLong shareMoves = new AtomicLong();
    /** Never below the persistent pages this client holds: counted up on stores, recounted exactly at the cap. */
    final AtomicLong persistentUpperBound = new AtomicLong();

    private final byte[] token;
    private final Path regionFile;
    private final Arena arena;
    private final MemorySegment region;
    private final Map<Integer, Pool> pools = new ConcurrentHashMap<>();
    private final SocketChannel[] slotChannels;
    private final SocketChannel control;
    private final Consumer<ClientSession> freer;
    private int nextHandle;
    private int threads = 1;
    private boolean ended;

    ClientSession(final int id, final String name, final UserPrincipal user, final GroupPrincipal group, final long pid,
        final int slots, final long persistentCap, final int weight, final byte[] token, final Path regionFile, final Arena arena,
        final MemorySegment region, final SocketChannel control, final Consumer<ClientSession> freer)
    {
        this.id = id;
        this.name = name;
        this.user = user;
        this.group = group;
        this.pid = pid;
        this.slots = slots;
        this.persistentCap = persistentCap;
        this.weight = weight;
        this.token = token;
        this.regionFile = regionFile;
        this.arena = arena;
        this.region = region;
        this.control = control;
        this.slotChannels = new SocketChannel[slots];
        this.freer = freer;
    }

    /**
     * Binds a slot connection to this session if the token and credentials match and the slot is free.
     *
     * @return {@code null} if joined, else why not.
     */
    synchronized String join(final SocketChannel channel, final long tokenHi, final long tokenLo,
        final UserPrincipal peer, final int slot)
    {
        final byte[] given = new byte[HostProtocol.TOKEN_BYTES];
        for (int i = 0; i < 8; i++)
        {
            given[i] = (byte)(tokenHi >>> (56 - 8 * i));
            given[8 + i] = (byte)(tokenLo >>> (56 - 8 * i));
        }
        if (!MessageDigest.isEqual(given, token) || !user.equals(peer))
        {
            return "wrong token or credentials for client " + id;
        }
        if (ended)
        {
            return "client " + id + " has ended";
        }
        if (slot < 0 || slot >= slots || slotChannels[slot] != null)
        {
            return "slot " + slot + " is taken or outside 0.." + (slots - 1);
        }
        slotChannels[slot] = channel;
        threads++;
        return null;
    }

    /**
     * {@return the slot's page area: where a put's page is and a get's page goes}
     */
    MemorySegment slotPage(final int slot)
    {
        return HostProtocol.slotPage(region, slots, slot);
    }

    /**
     * {@return the slot's header: its request, answer and handoff words}
     */
    MemorySegment slotHeader(final int slot)
    {
        return HostProtocol.slotHeader(region, slot);
    }

    /**
     * Unlinks the region file once the client has mapped it: nothing is left behind whoever dies first.
     */
    void regionMapped() throws IOException
    {
        Files.deleteIfExists(regionFile);
    }

    synchronized int addPool(final Pool pool)
    {
        final int handle = nextHandle++;
        pools.put(handle, pool);
        return handle;
    }

    Pool pool(final int handle)
    {
        return pools.get(handle);
    }

    Pool removePool(final int handle)
    {
        return pools.remove(handle);
    }

    List<Pool> pools()
    {
        return new ArrayList<>(pools.values());
    }

    /**
     * Ends the session: closes every connection, so each serving thread leaves.
     */
    void end()
    {
        final List<SocketChannel> channels = new ArrayList<>();
        synchronized (this)
        {
            if (ended)
            {
                return;
            }
            ended = true;
            channels.add(control);
            for (final SocketChannel channel : slotChannels)
            {
                if (channel != null)
                {
                    channels.add(channel);
                }
            }
        }
        for (final SocketChannel channel : channels)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // closing is all we wanted; a channel that fails to close is closed enough for the client
            }
        }
    }

    /**
     * A serving thread is done with the session; the last one frees its pools and region.
     */
    void leave()
    {
        synchronized (this)
        {
            if (--threads > 0 || !ended)
            {
                return;
            }
        }
        try
        {
            freer.accept(this);
        }
        finally
        {
            pools.clear();
            arena.close();
            try
            {
                Files.deleteIfExists(regionFile);
            }
            catch (final IOException ignored)
            {
                // the daemon removes stale region files when it starts
            }
        }
    }

    @Override
    public String toString()
    {
        return "client " + id + " (" + user.getName() + (name.isEmpty() ? "" : "/" + name) + ", pid " + pid + ")";
    }
}
