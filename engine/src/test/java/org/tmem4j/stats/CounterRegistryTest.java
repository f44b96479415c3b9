package org.tmem4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class CounterRegistryTest
{
    static CounterSource source(final String kind, final String name, final String... counters)
    {
        final CounterSource.Builder builder = CounterSource.builder(kind, name);
        for (int i = 0; i < counters.length; i++)
        {
            final long value = i;
            builder.counter(counters[i], CounterUnit.OPERATIONS, "calls", () -> value);
        }
        return builder.build();
    }

    @Test
    void builderSamplesSuppliersInOrder()
    {
        final AtomicLong a = new AtomicLong(7);
        final CounterSource source = CounterSource.builder("allocator", "zsmalloc")
            .gauge("pages", CounterUnit.PAGES, "pages held", a::get)
            .counter("objects", CounterUnit.OBJECTS, "objects made", () -> 42)
            .build();
        assertEquals("allocator", source.kind());
        assertEquals("zsmalloc", source.name());
        assertEquals(List.of(CounterDescription.gauge("pages", CounterUnit.PAGES, "pages held"),
            CounterDescription.counter("objects", CounterUnit.OBJECTS, "objects made")), source.descriptions());
        final long[] values = new long[2];
        source.sample(values);
        assertEquals(7, values[0]);
        assertEquals(42, values[1]);
        a.set(9);
        source.sample(values);
        assertEquals(9, values[0]);
    }

    @Test
    void builderRejectsBadNamesWithClearMessages()
    {
        for (final String bad : new String[] {"", "a b", "a/b", "é", "a,b", "a=b", "a:b", "a*"})
        {
            final IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> CounterSource.builder(bad, "x"));
            assertTrue(kind.getMessage().contains("invalid counter kind '" + bad + "'"), kind.getMessage());
            assertTrue(kind.getMessage().contains("A-Z a-z 0-9 _ . -"), kind.getMessage());
            assertThrows(IllegalArgumentException.class, () -> CounterSource.builder("k", bad));
            assertThrows(IllegalArgumentException.class,
                () -> CounterSource.builder("k", "n").counter(bad, CounterUnit.OPERATIONS, "calls", () -> 1));
        }
        assertThrows(IllegalArgumentException.class, () -> CounterSource.builder(null, "x"));
        assertThrows(IllegalArgumentException.class,
            () -> CounterSource.builder("k", "n").counter("c", CounterUnit.OPERATIONS, "calls", null));
        final IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class,
            () -> CounterSource.builder("k", "n").counter("c", CounterUnit.OPERATIONS, "calls", () -> 1)
                .gauge("c", CounterUnit.PAGES, "pages", () -> 2));
        assertTrue(duplicate.getMessage().contains("counter 'c' is already"), duplicate.getMessage());
        for (final String bad : new String[] {"", " ", "two\nlines", "caf\u00e9", "x".repeat(345)})
        {
            final IllegalArgumentException description = assertThrows(IllegalArgumentException.class,
                () -> CounterDescription.gauge("c", CounterUnit.PAGES, bad));
            assertTrue(description.getMessage().contains("description of 1 to 344 printable ASCII characters"),
                description.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> CounterDescription.gauge("c", null, "pages"));
        assertThrows(IllegalArgumentException.class, () -> new CounterDescription("c", null, CounterUnit.PAGES, "p"));
        final IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
            () -> CounterSource.builder("k", "n").build());
        assertTrue(empty.getMessage().contains("no counters"), empty.getMessage());
    }

    @Test
    void registryChecksSourcesItDidNotBuild()
    {
        final CounterRegistry registry = new CounterRegistry();
        assertThrows(IllegalArgumentException.class, () -> registry.register(null));
        assertThrows(IllegalArgumentException.class, () -> registry.register(custom("k", "n", List.of())));
        assertThrows(IllegalArgumentException.class, () -> registry.register(custom("k k", "n", List.of("c"))));
        assertThrows(IllegalArgumentException.class, () -> registry.register(custom("k", "n", List.of("c/d"))));
        final IllegalArgumentException repeated = assertThrows(IllegalArgumentException.class,
            () -> registry.register(custom("k", "n", List.of("c", "d", "c"))));
        assertTrue(repeated.getMessage().contains("repeats counter 'c'"), repeated.getMessage());
        final IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
            () -> registry.register(custom("k", "n", List.of("c".repeat(CountersFile.MAX_LABEL_LENGTH)))));
        assertTrue(tooLong.getMessage().contains("at most " + CountersFile.MAX_LABEL_LENGTH), tooLong.getMessage());
        assertTrue(registry.sources().isEmpty());
        assertEquals(0, registry.generation());
    }

    @Test
    void registryRefusesASecondSourceOfTheSameKindAndName()
    {
        final CounterRegistry registry = new CounterRegistry();
        registry.register(source("allocator", "zbud", "pages"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> registry.register(source("allocator", "zbud", "objects")));
        assertTrue(ex.getMessage().contains("allocator/zbud is already registered"), ex.getMessage());
        registry.register(source("allocator", "zsmalloc", "pages"));
        registry.register(source("frontend", "zbud", "pages"));
        assertEquals(3, registry.sources().size());
    }

    @Test
    void generationChangesWithEveryChangeAndListenersHearThemInOrder()
    {
        final CounterRegistry registry = new CounterRegistry();
        final CounterSource a = source("engine", "a", "x");
        final CounterSource b = source("engine", "b", "x");
        registry.register(a);
        final long g1 = registry.generation();
        final List<String> heard = new ArrayList<>();
        final CounterRegistry.Listener listener = new CounterRegistry.Listener()
        {
            @Override
            public void registered(final CounterSource source)
            {
                heard.add("+" + source.name());
            }

            @Override
            public void unregistered(final CounterSource source)
            {
                heard.add("-" + source.name());
            }
        };
        registry.addListener(listener);
        registry.register(b);
        final long g2 = registry.generation();
        assertNotEquals(g1, g2);
        assertTrue(registry.unregister(a));
        assertNotEquals(g2, registry.generation());
        final long g3 = registry.generation();
        assertFalse(registry.unregister(a));
        assertEquals(g3, registry.generation());
        registry.removeListener(listener);
        registry.unregister(b);
        assertEquals(List.of("+a", "+b", "-a"), heard);
        assertTrue(registry.sources().isEmpty());
    }

    @Test
    void aFailingListenerDoesNotStopRegistration()
    {
        final CounterRegistry registry = new CounterRegistry();
        registry.addListener(new CounterRegistry.Listener()
        {
            @Override
            public void registered(final CounterSource source)
            {
                throw new IllegalStateException("listener broke");
            }

            @Override
            public void unregistered(final CounterSource source)
            {
                throw new IllegalStateException("listener broke");
            }
        });
        final CounterSource a = source("engine", "a", "x");
        registry.register(a);
        assertEquals(List.of(a), registry.sources());
        assertTrue(registry.unregister(a));
    }

    static CounterSource custom(final String kind, final String name, final List<String> names)
    {
        return new CounterSource()
        {
            @Override
            public String kind()
            {
                return kind;
            }

            @Override
            public String name()
            {
                return name;
            }

            @Override
            public List<CounterDescription> descriptions()
            {
                return names.stream().map(n -> CounterDescription.gauge(n, CounterUnit.PAGES, "pages")).toList();
            }

            @Override
            public void sample(final long[] values)
            {
                for (int i = 0; i < names.size(); i++)
                {
                    values[i] = i;
                }
            }
        };
    }
}
