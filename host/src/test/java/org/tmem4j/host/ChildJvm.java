package org.tmem4j.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started with the test class path running one of the test mains, waited for until it prints
 * {@code ready}, and killed with SIGKILL when the test says so or when it is closed. A main that reads commands
 * from its standard input is driven line by line with {@link #send} and {@link #answer}.
 */
final class ChildJvm implements AutoCloseable
{
    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;

    private ChildJvm(final Process process, final BufferedReader out)
    {
        this.process = process;
        this.out = out;
        this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    }

    static ChildJvm start(final Class<?> main, final String... args) throws IOException, InterruptedException
    {
        return startAs(List.of(), System.getProperty("java.class.path"), main, args);
    }

    /**
     * Starts a main behind a command prefix (e.g. {@code setpriv --reuid=...}) with a class path of its own.
     */
    static ChildJvm startAs(final List<String> prefix, final String classPath, final Class<?> main,
        final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(),
            "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", classPath, main.getName()));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final ChildJvm child = new ChildJvm(process, out);
        final String line = out.readLine();
        if (!"ready".equals(line))
        {
            child.close();
            throw new IllegalStateException(main.getSimpleName() + " did not start: " + line);
        }
        return child;
    }

    long pid()
    {
        return process.pid();
    }

    /**
     * Sends one command line; {@link #answer} reads what the child answers, so several children work at once.
     */
    void send(final String command)
    {
        in.println(command);
    }

    /**
     * {@return the child's next line}
     *
     * @throws IllegalStateException if the child ended instead.
     */
    String answer() throws IOException
    {
        final String line = out.readLine();
        if (line == null)
        {
            throw new IllegalStateException("child " + process.pid() + " ended without an answer");
        }
        return line;
    }

    /**
     * SIGKILL, and waits until the process is gone.
     */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            throw new AssertionError("process " + process.pid() + " survived SIGKILL for 60 s");
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            kill();
        }
    }
}
