package org.tmem4j.zcache;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A pool's dictionary state: the dictionary new pages are compressed with (none before the first is trained), and
 * the sampler collecting pages for the next one (none while no training is wanted).
 */
final class PoolDictionaries
{
    /** The current dictionary; it holds one reference on it. */
    final AtomicReference<PageDictionary> current = new AtomicReference<>();
    /** Collecting samples, or null. */
    volatile DictionarySampler sampler;

    PoolDictionaries(final DictionarySampler first)
    {
        this.sampler = first;
    }
}
