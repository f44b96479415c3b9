package org.tmem4j.jmh.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.tmem4j.jmh.corpus.PageCorpus;

class PeerFootprintTest
{
    @Test
    void everyStoreReturnsEveryPageAndCostsLessThanAPagePerPage()
    {
        final List<PeerFootprint> footprints = new ArrayList<>();
        try (PageCorpus corpus = PageCorpus.readDefault(2048))
        {
            for (final String store : PageStore.names())
            {
                final PeerFootprint footprint = PeerFootprint.measure(store, corpus);
                footprints.add(footprint);
                assertTrue(footprint.verified(), footprint.toString());
                assertEquals(2048, footprint.pages() + footprint.refused());
                assertTrue(footprint.refused() < 2048 / 10, footprint.toString());
                if (!footprint.store().startsWith("tmem4j-"))
                {
                    assertEquals(0, footprint.refused(), "the peers keep every page: " + footprint);
                }
                assertTrue(footprint.bytesPerPage() > 0 && footprint.bytesPerPage() < 2 * PageStore.PAGE_SIZE,
                    footprint.toString());
            }
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
