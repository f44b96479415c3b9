package org.tmem4j.frontend;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library jars as a consumer on the module path sees them (run by failsafe, after the jars are packaged): each
 * jar names its module, and an application module that requires only {@code org.tmem4j.frontends} compiles against
 * them and stores and loads pages through every allocator and codec, launched with the README's module-path line,
 * without a single warning.
 */
final class ModulePathIT
{
    /** The library jars the consumer needs, by file name prefix, and the module each one must be. */
    private static final List<String[]> LIBRARIES = List.of(
        new String[] {"tmem4j-engine-", "org.tmem4j.engine"},
        new String[] {"tmem4j-zbud-", "org.tmem4j.zbud"},
        new String[] {"tmem4j-zsmalloc-", "org.tmem4j.zsmalloc"},
        new String[] {"tmem4j-frontends-", "org.tmem4j.frontends"},
        new String[] {"lz4-java-", "org.lz4.java"},
        new String[] {"zstd-jni-", "com.github.luben.zstd_jni"},
        new String[] {"agrona-", "org.agrona"});

    /** The README's launch line for the module path, less the module path itself and the main module. */
    private static final List<String> LAUNCH_FLAGS = List.of(
        "--add-modules", "com.github.luben.zstd_jni",
        "--enable-native-access=org.tmem4j.engine,org.tmem4j.frontends,org.lz4.java,com.github.luben.zstd_jni");

    @Test
    void consumerOnTheModulePathStoresAndLoadsWithEveryAllocatorAndCodec(@TempDir final Path dir)
        throws IOException, InterruptedException
    {
        final List<Path> jars = libraryJars();
        final String modulePath = jars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));

        final Path classes = Files.createDirectories(dir.resolve("classes"));
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final StringWriter diagnostics = new StringWriter();
        final boolean compiled = javac.getTask(diagnostics, null, null, List.of(
                "-d", classes.toString(), "--module-path", modulePath,
                "--module-source-path", System.getProperty("tmem4j.consumer.sources"),
                "--module", "org.tmem4j.consumer", "-Xlint:all,-requires-automatic", "-Werror"),
            null, null).call();
        assertTrue(compiled, "the consumer module did not compile against the jars:\n" + diagnostics);

        final Path swap = Files.createDirectories(dir.resolve("swap"));
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(LAUNCH_FLAGS);
        command.addAll(List.of("--module-path", modulePath + File.pathSeparator + classes,
            "--module", "org.tmem4j.consumer/org.tmem4j.consumer.Consumer", swap.toString(),
            "zsmalloc/lz4", "zsmalloc/zstd", "zbud/lz4", "zbud/zstd"));
        final Process process = new ProcessBuilder(command)
            .redirectOutput(dir.resolve("out.txt").toFile())
            .redirectError(dir.resolve("err.txt").toFile())
            .start();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the consumer did not finish");
        final String out = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
        final String err = Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(0, process.exitValue(), "consumer failed: " + command + "\n" + out + err);
        assertEquals("", err, "the consumer wrote to stderr (a native access warning means the README's flags are "
            + "incomplete)");
        assertEquals("""
            stored and loaded zsmalloc/lz4
            stored and loaded zsmalloc/zstd
            stored and loaded zbud/lz4
            stored and loaded zbud/zstd
            modules: [org.tmem4j.consumer, org.tmem4j.engine, org.tmem4j.frontends, org.tmem4j.zbud, org.tmem4j.zsmalloc]
            """, out);
    }

    /** The jars of {@link #LIBRARIES} from this test's class path, each checked to be the module it should be. */
    private static List<Path> libraryJars()
    {
        final String[] classPath = System.getProperty("java.class.path").split(File.pathSeparator);
        final List<Path> jars = new ArrayList<>();
        for (final String[] library : LIBRARIES)
        {
            final List<Path> found = Arrays.stream(classPath).map(Path::of)
                .filter(p -> p.getFileName().toString().startsWith(library[0]))
                .filter(p -> !p.getFileName().toString().endsWith("-tests.jar"))
                .toList();
            assertEquals(1, found.size(), "one " + library[0] + "*.jar on the class path: " + found);
            final Path jar = found.getFirst();
            assertTrue(Files.isRegularFile(jar) && jar.toString().endsWith(".jar"),
                jar + " is not a packaged jar (run through 'verify', which packages the modules first)");
            final List<ModuleDescriptor> modules = ModuleFinder.of(jar).findAll().stream()
                .map(ModuleReference::descriptor).toList();
            assertEquals(1, modules.size(), jar + " holds one module");
            assertEquals(library[1], modules.getFirst().name(), jar + ": module name (Automatic-Module-Name)");
            jars.add(jar);
        }
        return jars;
    }
}
