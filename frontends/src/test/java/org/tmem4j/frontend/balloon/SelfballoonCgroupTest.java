package org.tmem4j.frontend.balloon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * On a real memory cgroup (v1 here; v2 where the memory controller is in the unified hierarchy): a child JVM with a
 * zcache budget above the cgroup's limit fills it. With selfballooning its budget shrinks and it finishes; with the
 * fixed budget the kernel kills it. Skipped where no memory cgroup can be made (not root, no controller).
 */
class SelfballoonCgroupTest
{
    /**
     * The JVM alone takes about 150 MiB here (the pre-touched 64 MiB heap, class data, code, and the compilers'
     * arenas, which swing by tens of MiB while C2 works); the limit leaves the zcache room above that.
     */
    private static final long LIMIT = 320L << 20;
    private static final String BUDGET_MIB = "768";
    /** About 400 MiB compressed: more than the limit holds beside the JVM, so the fixed budget must be killed. */
    private static final String PAGES = "300000";

    @Test
    void theBalloonedJvmSurvivesItsLimitAndTheFixedOneIsKilled() throws Exception
    {
        final Path cgroup = makeCgroup().orElse(null);
        Assumptions.assumeTrue(cgroup != null, "no memory cgroup can be created here (needs root and a memory "
            + "controller, v1 or v2)");
        try
        {
            final Result ballooned = runChild(cgroup, true);
            assertEquals(0, ballooned.exit, "with selfballooning the JVM finishes: " + ballooned.output);
            assertTrue(ballooned.output.contains("survived budget="), ballooned.output);
            final long budget = Long.parseLong(ballooned.output.replaceAll("(?s).*survived budget=(\\d+).*", "$1"));
            assertTrue(budget < LIMIT, "the budget shrank below the limit: " + budget);
            final Result fixed = runChild(cgroup, false);
            assertNotEquals(0, fixed.exit, "with the fixed budget the kernel kills the JVM: " + fixed.output);
            assertTrue(!fixed.output.contains("survived"), fixed.output);
        }
        finally
        {
            Files.deleteIfExists(cgroup);
        }
    }

    private record Result(int exit, String output)
    {
    }

    private static Result runChild(final Path cgroup, final boolean selfballoon) throws IOException,
        InterruptedException
    {
        final Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
            "--enable-native-access=ALL-UNNAMED", "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",
            "-cp", System.getProperty("java.class.path"), BalloonChild.class.getName(),
            cgroup.resolve("cgroup.procs").toString(), BUDGET_MIB, Boolean.toString(selfballoon), PAGES)
            .redirectErrorStream(true).start();
        final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(5, TimeUnit.MINUTES))
        {
            child.destroyForcibly();
            throw new AssertionError("child did not finish: " + output);
        }
        return new Result(child.exitValue(), output);
    }

    /**
     * A child of this JVM's own memory cgroup with the limit, so the test stays inside whatever contains it.
     */
    private static Optional<Path> makeCgroup()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/cgroup")))
            {
                final String[] parts = line.split(":", 3);
                final boolean v1 = parts.length == 3 && List.of(parts[1].split(",")).contains("memory");
                final boolean v2 = parts.length == 3 && parts[0].equals("0") && parts[1].isEmpty();
                final Path base = v1 ? Path.of("/sys/fs/cgroup/memory", parts[2])
                    : v2 ? Path.of("/sys/fs/cgroup", parts[2]) : null;
                if (base == null || !Files.isWritable(base))
                {
                    continue;
                }
                final Path dir = base.resolve("tmem4j-balloon-" + ProcessHandle.current().pid());
                if (v2 && !Files.readString(base.resolve("cgroup.subtree_control")).contains("memory"))
                {
                    continue;
                }
                Files.createDirectory(dir);
                final Path limit = dir.resolve(v1 ? "memory.limit_in_bytes" : "memory.max");
                if (!Files.exists(limit))
                {
                    Files.delete(dir);
                    continue;
                }
                Files.writeString(limit, Long.toString(LIMIT));
                if (v1)
                {
                    // the machine may swap; the test is about the limit, not the disk
                    Files.writeString(dir.resolve("memory.swappiness"), "0");
                }
                else
                {
                    Files.writeString(dir.resolve("memory.swap.max"), "0");
                }
                return Optional.of(dir);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
