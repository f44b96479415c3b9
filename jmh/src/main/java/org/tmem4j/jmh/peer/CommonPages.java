package org.tmem4j.jmh.peer;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import org.tmem4j.cli.corpus.PageCorpus;

/**
 * The corpus pages every store holds. tmem4j's engine refuses pages that compress poorly (its admission policy: the
 * caller keeps them elsewhere, as frontswap writes them to its file); the peers take everything. Measuring each
 * store on the pages it happens to take would hand tmem4j the better-compressing pages, so every store is measured
 * on the pages both tmem4j allocators accept when filled with the whole corpus.
 */
final class CommonPages
{
    private CommonPages()
    {
    }

    /**
     * @param corpus the pages.
     * @return the indexes, ascending, of the pages every tmem4j store held after a fill with all of them.
     */
    static int[] of(final PageCorpus corpus)
    {
        final int count = corpus.pageCount();
        final boolean[] refused = new boolean[count];
        for (final String name : PageStore.names())
        {
            if (!name.startsWith(ZcacheStore.PREFIX))
            {
                continue;
            }
            try (PageStore store = PageStore.create(name, count))
            {
                for (int i = 0; i < count; i++)
                {
                    refused[i] |= !store.put(i, page(corpus, i));
                }
            }
        }
        final int[] held = new int[count];
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            if (!refused[i])
            {
                held[kept++] = i;
            }
        }
        return Arrays.copyOf(held, kept);
    }

    /**
     * @param corpus the pages.
     * @param i      a page index.
     * @return that page.
     */
    static MemorySegment page(final PageCorpus corpus, final int i)
    {
        return corpus.segment().asSlice(corpus.offset(i), PageCorpus.PAGE_SIZE);
    }
}
