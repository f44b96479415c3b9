package org.tmem4j.tmem;

/**
 * What a pool promises about the pages put into it.
 */
public enum PoolKind
{
    /**
     * A cache: a put may be dropped at any time (evicted to make room), and a get is exclusive, so a page comes back
     * at most once. What cleancache uses for clean file pages.
     */
    EPHEMERAL,

    /**
     * A store: a page that was put stays until it is flushed, read exclusively or its pool destroyed; a put fails
     * instead of dropping another persistent page. What frontswap uses for swapped-out pages.
     */
    PERSISTENT
}
