package org.tmem4j.jmh.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.tmem4j.cli.corpus.PageCorpus;

class PeerFootprintTest
{
    @Test
    void everyStoreReturnsEveryPageAndCostsLessThanAPagePerPage()
    {
        final List<PeerFootprint> footprints;
        final int common;
        try (PageCorpus corpus = PageCorpus.readDefault(1024))
        {
            common = CommonPages.of(corpus).length;
            footprints = PeerFootprint.measureAll(corpus);
        }
        assertTrue(common > 1024 * 9 / 10 && common <= 1024, "tmem4j refuses only the worst pages: " + common);
        assertEquals(PageStore.names(), footprints.stream().map(PeerFootprint::store).toList());
        for (final PeerFootprint footprint : footprints)
        {
            assertTrue(footprint.verified(), footprint.toString());
            assertEquals(common, footprint.pages() + footprint.refused(), "the same pages for every store");
            assertEquals(0, footprint.refused(), "every store holds the common pages: " + footprint);
            assertTrue(footprint.bytesPerPage() > 0 && footprint.bytesPerPage() < 2 * PageStore.PAGE_SIZE,
                footprint.toString());
        }
        final StringWriter text = new StringWriter();
        PeerFootprint.print(footprints, new PrintWriter(text, true));
        for (final String store : PageStore.names())
        {
            assertTrue(text.toString().lines().anyMatch(l -> l.startsWith(store + " ")), text.toString());
        }
    }

    @Test
    void anUnknownStoreNamesTheKnownOnes()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> PageStore.create("redis", 10));
        assertTrue(ex.getMessage().contains("ehcache-offheap"), ex.getMessage());
    }
}
