package org.tmem4j.host;

/**
 * One client's row in the daemon's table ({@code ./tmem4j stat --host-socket}).
 *
 * @param id              the client's id at the daemon.
 * @param user            its user (peer credentials).
 * @param name            the name it gave itself, or empty.
 * @param pid             its JVM's process id, as it said.
 * @param slots           its request slots.
 * @param pools           its pools.
 * @param ephemeralPages  pages in its ephemeral pools (shared pools count for each member).
 * @param persistentPages pages in its persistent pools.
 * @param bytes           compressed bytes of those pages.
 * @param persistentCap   the persistent pages it may hold ({@link HostConfig#UNLIMITED} for no cap).
 * @param sharePages      the pages of every kind it may hold, as its selfballoon last set its share
 *                        ({@link HostConfig#UNLIMITED} for none).
 * @param shareMoves      times its selfballoon moved its share.
 * @param weight          its eviction weight.
 * @param puts            puts it asked for.
 * @param gets            gets it asked for.
 * @param hits            gets that found the page.
 */
public record HostClientStats(int id, String user, String name, long pid, int slots, int pools, long ephemeralPages,
    long persistentPages, long bytes, long persistentCap, long sharePages, long shareMoves, int weight, long puts, long gets, long hits)
{
    /**
     * {@return {@code user} or {@code user/name}}
     */
    public String qualifiedName()
    {
        return name.isEmpty() ? user : user + "/" + name;
    }
}
