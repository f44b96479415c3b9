package org.tmem4j.tmem;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tmem index against an in-heap map: every answer of put, take, takeIf, read, takeObject and evictOldest, and
 * the pools' page counts, over 10^6 seeded random operations (seed printed on failure, {@code -Dtmem4j.seed=N}).
 * Keys mix few objects with many pages, many objects with one page, dense and huge indexes, and few buckets, so
 * tables grow and shift, trees grow, prune and lower, and objects switch between inline and tree form.
 */
final class TmemPoolModelTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final int OPS = Integer.getInteger("tmem4j.ops", 1_000_000);

    private record ObjectKey(int pool, long a, long b, long c)
    {
    }

    private record Key(ObjectKey object, int index)
    {
    }

    /** The expected contents: pages by object, and where each (unique) value is. */
    private static final class Model
    {
        final Map<ObjectKey, Map<Integer, Long>> objects = new HashMap<>();
        final Map<Long, Key> keyOfValue = new HashMap<>();
        final long[] pages = new long[2];

        Long put(final Key key, final long value)
        {
            final Long old = objects.computeIfAbsent(key.object(), k -> new HashMap<>()).put(key.index(), value);
            keyOfValue.put(value, key);
            if (old == null)
            {
                pages[key.object().pool()]++;
            }
            else
            {
                keyOfValue.remove(old);
            }
            return old;
        }

        Long get(final Key key)
        {
            final Map<Integer, Long> pagesOf = objects.get(key.object());
            return pagesOf == null ? null : pagesOf.get(key.index());
        }

        Long remove(final Key key)
        {
            final Map<Integer, Long> pagesOf = objects.get(key.object());
            final Long old = pagesOf == null ? null : pagesOf.remove(key.index());
            if (old != null)
            {
                keyOfValue.remove(old);
                pages[key.object().pool()]--;
                if (pagesOf.isEmpty())
                {
                    objects.remove(key.object());
                }
            }
            return old;
        }

        Set<Long> removeObject(final ObjectKey object)
        {
            final Map<Integer, Long> pagesOf = objects.remove(object);
            if (pagesOf == null)
            {
                return Set.of();
            }
            pages[object.pool()] -= pagesOf.size();
            keyOfValue.keySet().removeAll(pagesOf.values());
            return new HashSet<>(pagesOf.values());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 256})
    void matchesModel(final int buckets)
    {
        final SplittableRandom random = new SplittableRandom(SEED + buckets);
        final Tmem tmem = new Tmem(buckets);
        final TmemPool[] pools = {
            tmem.createPool(PoolKind.PERSISTENT, 4096), tmem.createPool(PoolKind.EPHEMERAL, 4096)};
        final Model model = new Model();
        final Set<Long> evictable = new HashSet<>();
        final List<Long> freed = new ArrayList<>();
        long nextValue = 1;
        final PageReader<long[]> reader = (value, out) -> out[0] = value;
        final long[] seen = new long[1];
        for (int op = 0; op < OPS; op++)
        {
            final String where = "op " + op + ", buckets " + buckets + ", seed " + SEED;
            final int p = random.nextInt(2);
            final TmemPool pool = pools[p];
            final long a = randomObject(random);
            final long b = a * 7;
            final long c = random.nextInt(50) == 0 ? -1 : 3;
            final int index = randomIndex(random);
            final Key key = new Key(new ObjectKey(p, a, b, c), index);
            final int kind = random.nextInt(100);
            if (kind < 45)
            {
                final long value = random.nextInt(20) == 0 ? -(nextValue++) : nextValue++;
                final boolean mayEvict = random.nextBoolean();
                final long old = pool.put(a, b, c, index, value, mayEvict);
                final Long expected = model.put(key, value);
                assertEquals(expected == null ? TmemPool.EMPTY : expected, old, where + ": put");
                if (expected != null)
                {
                    evictable.remove(expected);
                }
                if (mayEvict && p == 1)
                {
                    evictable.add(value);
                }
            }
            else if (kind < 65)
            {
                final long value = pool.take(a, b, c, index);
                final Long expected = model.remove(key);
                assertEquals(expected == null ? TmemPool.EMPTY : expected, value, where + ": take");
                evictable.remove(value);
            }
            else if (kind < 85)
            {
                seen[0] = TmemPool.EMPTY;
                final boolean hit = pool.read(a, b, c, index, reader, seen);
                final Long expected = model.get(key);
                assertEquals(expected != null, hit, where + ": read hit");
                assertEquals(expected == null ? TmemPool.EMPTY : expected, seen[0], where + ": read value");
            }
            else if (kind < 90)
            {
                final Long expected = model.get(key);
                final long guess = expected != null && random.nextBoolean() ? expected : nextValue + 1;
                final boolean taken = pool.takeIf(a, b, c, index, guess);
                assertEquals(expected != null && expected == guess, taken, where + ": takeIf");
                if (taken)
                {
                    model.remove(key);
                    evictable.remove(guess);
                }
            }
            else if (kind < 92)
            {
                freed.clear();
                final int pages = pool.takeObject(a, b, c, freed::add);
                final Set<Long> expected = model.removeObject(key.object());
                assertEquals(expected.size(), pages, where + ": takeObject pages");
                assertEquals(expected, new HashSet<>(freed), where + ": takeObject values");
                evictable.removeAll(expected);
            }
            else if (kind < 97)
            {
                seen[0] = TmemPool.EMPTY;
                final boolean any = tmem.evictOldest((from, ea, eb, ec, eindex, value) ->
                {
                    assertEquals(pools[1], from, where + ": evicted from a persistent pool");
                    final ObjectKey evicted = model.keyOfValue.get(value).object();
                    assertEquals(List.of(evicted.a(), evicted.b(), evicted.c(), model.keyOfValue.get(value).index()),
                        List.of(ea, eb, ec, eindex), where + ": the key reported with the evicted value");
                    seen[0] = value;
                });
                assertEquals(!evictable.isEmpty(), any, where + ": evicted anything");
                if (any)
                {
                    final long value = seen[0];
                    assertTrue(evictable.remove(value), where + ": evicted " + value + " which is not evictable");
                    model.remove(model.keyOfValue.get(value));
                }
            }
            else
            {
                checkCounts(pools, model, where);
            }
        }
        checkCounts(pools, model, "end, seed " + SEED);
        for (final Key key : new ArrayList<>(model.keyOfValue.values()))
        {
            final ObjectKey o = key.object();
            assertEquals((long)model.remove(key), pools[o.pool()].take(o.a(), o.b(), o.c(), key.index()),
                "draining; seed " + SEED);
        }
        for (final TmemPool pool : pools)
        {
            final TmemPoolStats stats = pool.stats();
            assertEquals(0, stats.pages(), "seed " + SEED);
            assertEquals(0, stats.objects(), "seed " + SEED);
            assertEquals(0, stats.evictablePages(), "seed " + SEED);
            assertEquals(0, (stats.metadataBytes() - (long)buckets * 16) % 4,
                "an emptied pool keeps only its (grown) tables; seed " + SEED);
        }
        freed.clear();
        tmem.destroyAll(freed::add);
        assertTrue(freed.isEmpty());
    }

    private static void checkCounts(final TmemPool[] pools, final Model model, final String where)
    {
        for (int p = 0; p < pools.length; p++)
        {
            final TmemPoolStats stats = pools[p].stats();
            assertEquals(model.pages[p], stats.pages(), where + ": pages of pool " + p);
        }
    }

    private static long randomObject(final SplittableRandom random)
    {
        return random.nextInt(4) == 0 ? random.nextInt(3) : 3 + random.nextInt(400);
    }

    private static int randomIndex(final SplittableRandom random)
    {
        final int kind = random.nextInt(10);
        if (kind < 6)
        {
            return random.nextInt(200);
        }
        if (kind < 9)
        {
            return random.nextInt(5000);
        }
        return random.nextInt(4) == 0 ? Integer.MAX_VALUE - random.nextInt(3) : random.nextInt(Integer.MAX_VALUE);
    }

}
