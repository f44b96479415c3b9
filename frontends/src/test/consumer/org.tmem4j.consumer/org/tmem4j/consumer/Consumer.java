package org.tmem4j.consumer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.frontswap.Frontswap;
import org.tmem4j.frontend.frontswap.SwapArea;

/**
 * Stores a page through frontswap into zcache with every allocator and codec given on the command line, loads it
 * back, prints one line per combination, then the tmem4j modules the JVM resolved.
 */
public final class Consumer
{
    private Consumer()
    {
    }

    /**
     * Runs the check.
     *
     * @param args a directory for the swap files, then allocator/codec pairs such as {@code zsmalloc/lz4}
     * @throws Exception when anything fails: the caller sees the stack trace and a non-zero exit
     */
    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        for (int i = 1; i < args.length; i++)
        {
            final String[] allocatorAndCodec = args[i].split("/");
            final FrontendsConfig config = FrontendsConfig.builder()
                .allocator(allocatorAndCodec[0]).codec(allocatorAndCodec[1]).budgetBytes(16L << 20).build();
            final BackendRegistry registry = new BackendRegistry();
            final Frontswap frontswap = Frontswap.create(registry, config);
            try (frontswap; Arena arena = Arena.ofConfined())
            {
                final SwapArea area = frontswap.swapOn(Files.createTempFile(dir, "consumer", ".swap"), 16);
                registry.register("zcache", config);
                final MemorySegment page = arena.allocate(4096);
                final MemorySegment back = arena.allocate(4096);
                for (int b = 0; b < 4096; b++)
                {
                    page.set(ValueLayout.JAVA_BYTE, b, (byte) (b % 7 == 0 ? b : 0));
                }
                final int slot = area.allocateSlot();
                area.store(slot, page);
                if (!area.load(slot, back) || back.mismatch(page) != -1)
                {
                    throw new AssertionError(args[i] + ": the page loaded differs from the page stored");
                }
                registry.unregister();
            }
            System.out.println("stored and loaded " + args[i]);
        }
        System.out.println("modules: " + ModuleLayer.boot().modules().stream().map(Module::getName)
            .filter(name -> name.startsWith("org.tmem4j.")).sorted().toList());
    }
}
