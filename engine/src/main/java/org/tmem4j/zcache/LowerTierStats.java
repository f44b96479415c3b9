package org.tmem4j.zcache;

import static org.tmem4j.stats.CounterUnit.PAGES;

import org.tmem4j.stats.CounterCatalog;

/**
 * A snapshot of what a {@link Zcache} handed to and took from its {@link LowerTier}; cumulative since it was built.
 *
 * @param remotified  pages moved down for room, the coldest first, that a tier took (ramster's "remotify",
 *                    zswap's writeback).
 * @param storedBelow pages that found no room locally (or came while zcache was full) and went to the tier.
 * @param repatriated local misses the tier answered.
 * @param refused     pages no tier took (an ephemeral page was dropped, a persistent one stayed, a put failed).
 * @param unreachable local misses on which the tier could not be asked.
 * @param corrupt     pages from the tier that did not decompress (misses).
 */
public record LowerTierStats(long remotified, long storedBelow, long repatriated, long refused, long unreachable,
    long corrupt)
{
    /** The counters, as the source of kind {@code tier} shows them. */
    public static final CounterCatalog<LowerTierStats> COUNTERS = CounterCatalog.<LowerTierStats>builder()
        .counter("remotified", PAGES, "pages moved down to a lower tier for room, the coldest first",
            LowerTierStats::remotified)
        .counter("stored_below", PAGES, "pages that found no room locally and went to the lower tier",
            LowerTierStats::storedBelow)
        .counter("repatriated", PAGES, "local misses the lower tier answered", LowerTierStats::repatriated)
        .counter("refused", PAGES, "pages no lower tier took", LowerTierStats::refused)
        .counter("unreachable", PAGES, "local misses on which the lower tier could not be asked",
            LowerTierStats::unreachable)
        .counter("corrupt", PAGES, "pages from the lower tier that did not decompress", LowerTierStats::corrupt)
        .build();
}
