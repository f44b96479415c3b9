package org.tmem4j.hardening;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.tmem.PoolKind;
import org.tmem4j.zcache.CorruptPageException;
import org.tmem4j.zcache.Zcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine with codecs that fail ({@link FaultInjectingCodec}), mid-traffic on many threads, every answer checked
 * ({@link CheckedTraffic}). A codec that throws, or answers a length that makes no sense, must cost only that one
 * operation: the put fails or throws, the get throws the codec's exception, no corrupt page is ever stored (a
 * persistent page a put reported stored must come back), and every other page stays exact. A codec
 * that silently writes garbage, into a compressed block or into a decompressed page, is caught by the checksum,
 * which covers the page itself: the get reports a corrupt page and never returns wrong bytes.
 */
final class CodecFaultsTest
{
    private static final long SEED = Long.getLong("tmem4j.seed", System.nanoTime());
    private static final long OPS = 40_000;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zbud", "zsmalloc"})
    void codecThrowsOrAnswersNonsense(final String allocator) throws Exception
    {
        final FaultTally tally = new FaultTally("codec-throws-" + allocator);
        final FaultInjectingCodec.Faults faults = new FaultInjectingCodec.Faults(SEED);
        try (Zcache zcache = engine(allocator, faults, true))
        {
            final CheckedTraffic traffic = traffic(zcache, tally).exceptions((op, ex) ->
                ex instanceof IllegalStateException && ex.getMessage().startsWith("injected fault")
                    ? op + " threw the codec's exception" : null);
            final List<String> failures = traffic.run(OPS, total ->
            {
                traffic.awaitOps(total / 10);
                faults.rate(FaultInjectingCodec.Fault.COMPRESS_THROWS, 16);
                faults.rate(FaultInjectingCodec.Fault.COMPRESS_RETURNS_ZERO, 16);
                faults.rate(FaultInjectingCodec.Fault.COMPRESS_RETURNS_NEGATIVE, 16);
                faults.rate(FaultInjectingCodec.Fault.COMPRESS_RETURNS_TOO_MUCH, 16);
                faults.rate(FaultInjectingCodec.Fault.DECOMPRESS_THROWS, 16);
                traffic.awaitOps(total * 8 / 10);
                faults.off();
            });
            faults.injected().forEach((fault, n) -> tally.add("injected " + fault, n));
            assertTrue(failures.isEmpty(), () -> failures.size() + " wrong answers (seed " + SEED + "), first: "
                + failures.getFirst());
            for (final FaultInjectingCodec.Fault fault : List.of(FaultInjectingCodec.Fault.COMPRESS_THROWS,
                FaultInjectingCodec.Fault.COMPRESS_RETURNS_ZERO, FaultInjectingCodec.Fault.COMPRESS_RETURNS_NEGATIVE,
                FaultInjectingCodec.Fault.COMPRESS_RETURNS_TOO_MUCH, FaultInjectingCodec.Fault.DECOMPRESS_THROWS))
            {
                assertTrue(faults.injected(fault) > 0, fault + " was never injected");
            }
            assertEquals(0, zcache.stats().corruptPages(), "a codec failure at put time stored a corrupt page");
        }
        tally.print();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zbud", "zsmalloc"})
    void codecWritesGarbage(final String allocator) throws Exception
    {
        final FaultTally tally = new FaultTally("codec-garbage-" + allocator);
        final FaultInjectingCodec.Faults faults = new FaultInjectingCodec.Faults(SEED);
        try (Zcache zcache = engine(allocator, faults, true))
        {
            final CheckedTraffic traffic = traffic(zcache, tally).exceptions((op, ex) ->
                ex instanceof CorruptPageException ? op + " reported a corrupt page" : null);
            final List<String> failures = traffic.run(OPS, total ->
            {
                traffic.awaitOps(total / 10);
                faults.rate(FaultInjectingCodec.Fault.COMPRESS_WRITES_GARBAGE, 16);
                traffic.awaitOps(total / 2);
                faults.off();
                faults.rate(FaultInjectingCodec.Fault.DECOMPRESS_WRITES_GARBAGE, 16);
                traffic.awaitOps(total * 9 / 10);
                faults.off();
            });
            faults.injected().forEach((fault, n) -> tally.add("injected " + fault, n));
            assertTrue(failures.isEmpty(), () -> failures.size() + " wrong answers (seed " + SEED + "), first: "
                + failures.getFirst());
            assertTrue(tally.count("get reported a corrupt page") > 0,
                "no garbage written by the codec was caught by the checksum");
        }
        tally.print();
    }

    private static CheckedTraffic traffic(final Zcache zcache, final FaultTally tally)
    {
        final int ephemeral = zcache.createPool(PoolKind.EPHEMERAL, 4096);
        final int persistent = zcache.createPool(PoolKind.PERSISTENT, 4096);
        return new CheckedTraffic(new EngineFaultsTest.EngineStore(zcache), new int[] {ephemeral, persistent},
            new boolean[] {false, true}, 4096, 3, 8, 128, SEED, tally);
    }

    private static Zcache engine(final String allocator, final FaultInjectingCodec.Faults faults,
        final boolean checksum)
    {
        return Zcache.builder()
            .allocator(allocator)
            .codecFactory(faults.codecs(CodecSpec.lz4()))
            .budgetBytes(32L << 20)
            .checksum(checksum)
            .compressorSlots(2)
            .build();
    }
}
