package org.tmem4j.frontend.frontswap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tmem4j.frontend.BackendRegistry;
import org.tmem4j.frontend.FrontendsConfig;
import org.tmem4j.frontend.Pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A swap area keeps the file it was swapped on with, whatever happens to the path or to the threads using it, and no
 * second area can take that file: issue 12, sections 2 to 4, and the non-regular files of section 5.
 */
class SwapFileIdentityTest
{
    private static final int PAGES = 16;

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment page = arena.allocate(SwapArea.PAGE_SIZE);
    private final MemorySegment dst = arena.allocate(SwapArea.PAGE_SIZE);
    private Frontswap frontswap;

    @BeforeEach
    void setUp()
    {
        frontswap = Frontswap.create(new BackendRegistry(), FrontendsConfig.defaults());
    }

    @AfterEach
    void tearDown()
    {
        Thread.interrupted();
        frontswap.close();
        arena.close();
    }

    @Test
    void aSecondSwapOnOfTheSameFileIsRefusedNamingTheLiveArea() throws IOException
    {
        final Path file = dir.resolve("p.swap");
        final SwapArea first = frontswap.swapOn(file, 64);
        final int slot = first.allocateSlot();
        Pages.fill(page, 42);
        first.store(slot, page);
        final Path hardLink = Files.createLink(dir.resolve("hard.swap"), file);
        final Path symbolicLink = Files.createSymbolicLink(dir.resolve("sym.swap"), file);
        final Path roundabout = dir.resolve("sub").resolve("..").resolve("p.swap");
        Files.createDirectory(dir.resolve("sub"));
        for (final Path same : new Path[] {file, hardLink, symbolicLink, roundabout})
        {
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> frontswap.swapOn(same, 64), same::toString);
            assertTrue(refused.getMessage().contains(first.toString()), refused.getMessage());
        }
        final Frontswap other = Frontswap.create(new BackendRegistry(), FrontendsConfig.defaults());
        try (other)
        {
            assertThrows(IllegalArgumentException.class, () -> other.swapOn(hardLink, 64),
                "another frontswap in the same JVM cannot take the file either");
        }
        assertTrue(first.load(slot, dst));
        assertTrue(Pages.matches(dst, 42), "the live area's page is intact");

        first.close();
        final SwapArea again = frontswap.swapOn(hardLink, 64);
        assertFalse(again.isClosed(), "once swapped off, the file can be swapped on again");
    }

    @Test
    void anInterruptedStoreAfterTheFileWasDeletedLosesNoPage() throws IOException
    {
        final Path file = dir.resolve("c.swap");
        final SwapArea area = frontswap.swapOn(file, 64);
        final int[] slots = storeAll(area, 100);
        Files.delete(file);
        verifyAll(area, slots, 100);

        final int extra = area.allocateSlot();
        Pages.fill(page, 999);
        Thread.currentThread().interrupt();
        assertFalse(area.store(extra, page), "no backend: the page goes to the (deleted) file");
        assertTrue(area.load(slots[3], dst) && Pages.matches(dst, 103), "an interrupted load is exact too");
        area.invalidatePage(slots[5]);
        assertTrue(Thread.interrupted(), "the interrupt status is kept for the caller");

        assertTrue(area.load(extra, dst) && Pages.matches(dst, 999));
        assertFalse(area.load(slots[5], dst));
        slots[5] = -1;
        verifyAll(area, slots, 100);
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> frontswap.swapOn(file, 64), "the live area's path, though its file is deleted");
        assertTrue(refused.getMessage().contains(area.toString()), refused.getMessage());
        assertFalse(Files.exists(file), "nothing reopened or recreated the file by its path");
    }

    @Test
    void anInterruptedLoadAfterThePathWasReplacedStillReadsTheAreasOwnFile() throws IOException
    {
        final Path file = dir.resolve("c.swap");
        final SwapArea area = frontswap.swapOn(file, 64);
        final int[] slots = storeAll(area, 200);
        Files.delete(file);
        final byte[] impostor = new byte[PAGES * SwapArea.PAGE_SIZE];
        java.util.Arrays.fill(impostor, (byte)0x5A);
        Files.write(file, impostor);

        Thread.currentThread().interrupt();
        assertTrue(area.load(slots[0], dst) && Pages.matches(dst, 200), "the interrupted load reads the area's file");
        assertTrue(Thread.interrupted());
        verifyAll(area, slots, 200);
        Pages.fill(page, 777);
        Thread.currentThread().interrupt();
        area.store(slots[1], page);
        Thread.interrupted();
        assertTrue(area.load(slots[1], dst) && Pages.matches(dst, 777));
        assertArrayEquals(impostor, Files.readAllBytes(file), "the file now at the path was never touched");
    }

    @Test
    void onlyRegularFilesAreSwappedOn()
    {
        for (final Path notRegular : new Path[] {Path.of("/dev/null"), Path.of("/dev/zero"), dir})
        {
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> frontswap.swapOn(notRegular, 4), notRegular::toString);
            assertTrue(refused.getMessage().contains("not a regular file"), refused.getMessage());
        }
        assertTrue(frontswap.areas().isEmpty());
    }

    private int[] storeAll(final SwapArea area, final long firstTag)
    {
        final int[] slots = new int[PAGES];
        for (int i = 0; i < PAGES; i++)
        {
            slots[i] = area.allocateSlot();
            Pages.fill(page, firstTag + i);
            assertFalse(area.store(slots[i], page));
        }
        return slots;
    }

    private void verifyAll(final SwapArea area, final int[] slots, final long firstTag)
    {
        for (int i = 0; i < slots.length; i++)
        {
            if (slots[i] >= 0)
            {
                assertTrue(area.load(slots[i], dst), "slot " + slots[i] + " holds its page");
                assertTrue(Pages.matches(dst, firstTag + i), "slot " + slots[i] + " loads exact");
            }
        }
    }
}
