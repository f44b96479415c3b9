package org.tmem4j.hardening;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the fault suite tried and saw, per fault type and outcome (e.g. {@code allocator-refuses / put refused}),
 * printed at the end of each test so the report states counts, not impressions.
 */
final class FaultTally
{
    private final String fault;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    FaultTally(final String fault)
    {
        this.fault = fault;
    }

    void add(final String outcome)
    {
        add(outcome, 1);
    }

    void add(final String outcome, final long n)
    {
        counts.computeIfAbsent(outcome, k -> new LongAdder()).add(n);
    }

    long count(final String outcome)
    {
        final LongAdder adder = counts.get(outcome);
        return adder == null ? 0 : adder.sum();
    }

    /**
     * @return one line per outcome, in name order, prefixed with the fault type; also printed to standard output.
     */
    String print()
    {
        final StringBuilder text = new StringBuilder();
        final Map<String, LongAdder> sorted = new TreeMap<>(counts);
        sorted.forEach((outcome, n) -> text.append("FAULT ").append(fault).append(" / ").append(outcome)
            .append(": ").append(n.sum()).append('\n'));
        System.out.print(text);
        return text.toString();
    }
}
