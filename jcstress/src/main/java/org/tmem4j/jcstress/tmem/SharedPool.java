package org.tmem4j.jcstress.tmem;

import java.util.concurrent.atomic.AtomicLong;

import org.tmem4j.tmem.PageSizes;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.tmem.Tmem;
import org.tmem4j.tmem.TmemPool;

/**
 * The pools the bucket tests share: one bucket each, so every state's object lands in the same lock stripe as
 * every other state's and the striping is stressed at its narrowest. Each state uses an object id of its own and
 * its arbiter empties it, so the pools stay small however many states run.
 */
final class SharedPool
{
    static final TmemPool EPHEMERAL;
    static final TmemPool PERSISTENT;
    private static final AtomicLong OBJECT_IDS = new AtomicLong();

    static
    {
        final Tmem tmem = new Tmem(1);
        EPHEMERAL = tmem.createPool(PoolKind.EPHEMERAL, PageSizes.MIN);
        PERSISTENT = tmem.createPool(PoolKind.PERSISTENT, PageSizes.MIN);
    }

    private SharedPool()
    {
    }

    /**
     * @return an object id no other state uses.
     */
    static long nextObject()
    {
        return OBJECT_IDS.incrementAndGet();
    }
}
