package org.tmem4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.FrontendsConfig;

/**
 * Clients of real, distinct uids on one daemon: child JVMs run by {@code setpriv} as throwaway uids (no account
 * needed: the daemon names an unknown uid by its number). The daemon grants the group {@code users} its socket; a
 * client of another uid joins a shared pool only if the daemon's config allows its uid or its group, never reaches
 * another client's private pool, and a process outside the granted group cannot connect at all. Skipped (a JUnit
 * assumption) unless the test runs as root with {@code setpriv} on the path.
 */
class HostCrossUserTest
{
    private static final String CREATOR = "54321";
    private static final String STRANGER = "54322";
    private static final String ALLOWED_USER = "54323";
    private static final String OUTSIDER = "54324";
    private static final String ALLOWED_GROUP_MEMBER = "54325";
    private static final String GRANTED_GROUP = "users";
    private static final String GRANTED_GID = "100";
    private static final String ALLOWED_GID = "65534";

    @TempDir
    Path dir;

    @Test
    void anotherUidJoinsASharedPoolOnlyWhereTheConfigAllowsIt() throws Exception
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run clients as other uids");
        final Path setpriv = onPath("setpriv");
        assumeTrue(setpriv != null, "needs setpriv (util-linux) to run clients as other uids");
        assumeTrue(GRANTED_GID.equals(gid(GRANTED_GROUP)) && ALLOWED_GID.equals(gid("nogroup")),
            "needs the groups users (100) and nogroup (65534)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        final String classPath = publicClassPath(dir.resolve("cp"));
        final Properties settings = new Properties();
        settings.setProperty("tmem4j.host.group", GRANTED_GROUP);
        settings.setProperty("tmem4j.host.shared.users", ALLOWED_USER);
        settings.setProperty("tmem4j.host.shared.groups", "nogroup");
        try (HostDaemon daemon = HostDaemon.start(FrontendsConfig.builder().hostSocket(dir.resolve("h/host.sock"))
            .budgetBytes(8L << 20).build(), HostConfig.from(settings)))
        {
            final String socket = daemon.socket().toString();
            final List<ChildJvm> children = new ArrayList<>();
            try
            {
                final ChildJvm creator = as(setpriv, CREATOR, GRANTED_GID, null, classPath, socket, children);
                creator.send("create");
                assertEquals("ok", creator.answer());
                assertEquals(List.of(CREATOR), daemon.clientStats().stream().map(HostClientStats::user).toList());
                // another uid of the granted group connects, but may not join, and its own pools hold nothing of
                // the creator's
                assertEquals("shared denied, private miss", join(setpriv, STRANGER, GRANTED_GID, null, 0, classPath,
                    socket, children));
                // a uid the config allows joins and reads the creator's page (a hit takes it: ephemeral)
                assertEquals("shared hit, private miss", join(setpriv, ALLOWED_USER, GRANTED_GID, null, 1, classPath,
                    socket, children));
                // a member of an allowed group (its primary group; the granted group only opens the socket) joins
                assertEquals("shared hit, private miss", join(setpriv, ALLOWED_GROUP_MEMBER, ALLOWED_GID, GRANTED_GID,
                    2, classPath, socket, children));
                // the page the stranger could not read is still there for those allowed
                assertEquals("shared hit, private miss", join(setpriv, ALLOWED_USER, GRANTED_GID, null, 0, classPath,
                    socket, children));
                // outside the granted group, the socket's directory is closed to it
                assertEquals("refused", join(setpriv, OUTSIDER, OUTSIDER, null, 3, classPath, socket, children));
                creator.send("done");
            }
            finally
            {
                for (final ChildJvm child : children)
                {
                    child.close();
                }
            }
        }
    }

    private static String join(final Path setpriv, final String uid, final String gid, final String extraGroup,
        final int index, final String classPath, final String socket, final List<ChildJvm> children)
        throws Exception
    {
        final ChildJvm client = as(setpriv, uid, gid, extraGroup, classPath, socket, children);
        client.send("join " + index);
        return client.answer();
    }

    private static ChildJvm as(final Path setpriv, final String uid, final String gid, final String extraGroup,
        final String classPath, final String socket, final List<ChildJvm> children) throws Exception
    {
        final ChildJvm child = ChildJvm.startAs(List.of(setpriv.toString(), "--reuid=" + uid, "--regid=" + gid,
            extraGroup == null ? "--clear-groups" : "--groups=" + extraGroup), classPath, CrossUserClientMain.class,
            socket);
        children.add(child);
        return child;
    }

    /**
     * Copies the test class path where any uid may read it (a build under {@code /root} is not readable by others).
     */
    private static String publicClassPath(final Path target) throws IOException
    {
        final List<String> entries = new ArrayList<>();
        int n = 0;
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            final Path source = Path.of(entry);
            if (!Files.exists(source))
            {
                continue;
            }
            final Path copy = target.resolve(n++ + "-" + source.getFileName());
            try (Stream<Path> tree = Files.walk(source))
            {
                for (final Path path : tree.toList())
                {
                    final Path to = copy.resolve(source.relativize(path).toString());
                    if (Files.isDirectory(path))
                    {
                        Files.createDirectories(to);
                    }
                    else
                    {
                        Files.createDirectories(to.getParent());
                        Files.copy(path, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            entries.add(copy.toString());
        }
        try (Stream<Path> tree = Files.walk(target))
        {
            for (final Path path : tree.toList())
            {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path)
                    ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Path onPath(final String program)
    {
        for (final String directory : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
        {
            final Path candidate = Path.of(directory, program);
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static String gid(final String group) throws IOException, InterruptedException
    {
        final Process getent = new ProcessBuilder("getent", "group", group).start();
        final String line = new String(getent.getInputStream().readAllBytes()).strip();
        getent.waitFor();
        final String[] fields = line.split(":");
        return fields.length > 2 ? fields[2] : null;
    }
}
