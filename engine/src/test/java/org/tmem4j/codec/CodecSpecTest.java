package org.tmem4j.codec;

import com.github.luben.zstd.Zstd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecSpecTest
{
    @Test
    void parsesWhatConfigurationsWrite()
    {
        assertEquals(CodecSpec.lz4(), CodecSpec.parse("lz4"));
        assertEquals(new CodecSpec("lz4", 1), CodecSpec.parse(" LZ4 "));
        assertEquals(new CodecSpec("lz4", 8), CodecSpec.parse("lz4:8"));
        assertEquals(CodecSpec.zstd(3), CodecSpec.parse("zstd"));
        assertEquals(CodecSpec.zstd(3), CodecSpec.parse("zstd:3"));
        assertEquals(CodecSpec.zstd(-5), CodecSpec.parse("zstd:-5"));
        assertEquals(CodecSpec.zstd(22), CodecSpec.parse("Zstd: 22"));
        assertEquals(CodecSpec.zstd(CodecSpec.ZSTD_MIN_LEVEL), CodecSpec.parse("zstd:-131072"));
    }

    @Test
    void printsWhatItParses()
    {
        for (final CodecSpec spec : new CodecSpec[] {CodecSpec.lz4(), new CodecSpec("lz4", 17), CodecSpec.zstd(-7),
            CodecSpec.zstd(19)})
        {
            assertEquals(spec, CodecSpec.parse(spec.toString()));
        }
    }

    @Test
    void levelZeroIsZstdsDefault()
    {
        assertEquals(3, CodecSpec.zstd(0).level());
        assertEquals(Zstd.defaultCompressionLevel(), CodecSpec.ZSTD_DEFAULT_LEVEL);
    }

    @Test
    void rangesAreTheLibrarysOwn()
    {
        assertEquals(Zstd.minCompressionLevel(), CodecSpec.ZSTD_MIN_LEVEL);
        assertEquals(Zstd.maxCompressionLevel(), CodecSpec.ZSTD_MAX_LEVEL);
        try (Codec fastest = CodecSpec.zstd(CodecSpec.ZSTD_MIN_LEVEL).newCodec();
            Codec fastestLz4 = new CodecSpec("lz4", CodecSpec.LZ4_MAX_ACCELERATION).newCodec())
        {
            assertEquals("zstd", fastest.name());
            assertEquals("lz4", fastestLz4.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lz5", "zstd:", "zstd:x", "zstd:1.5", "zstd:23", "zstd:-131073", "lz4:0",
        "lz4:65538", "snappy:1", ":3", "zstd:3:4", "lz4+dict", "lz4:2+dict", "zstd+dict+dict", "zstd:+dict",
        "+dict"})
    void rejectsBadSpecsNamingWhatIsAllowed(final String text)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> CodecSpec.parse(text));
        assertTrue(ex.getMessage().contains("allowed: \"lz4\""), ex.getMessage());
        assertTrue(ex.getMessage().contains("-131072..22"), ex.getMessage());
    }

    @Test
    void readsAndPrintsDictionarySpecs()
    {
        assertEquals(new CodecSpec("zstd", 3, true), CodecSpec.parse("zstd+dict"));
        assertEquals(new CodecSpec("zstd", 9, true), CodecSpec.parse(" ZSTD:9+DICT "));
        assertEquals(new CodecSpec("zstd", -5, true), CodecSpec.parse("zstd:-5+dict"));
        assertEquals("zstd:3+dict", CodecSpec.parse("zstd+dict").toString());
        assertEquals(CodecSpec.zstd(3), CodecSpec.parse("zstd+dict").withoutDictionary());
        assertThrows(IllegalArgumentException.class, () -> new CodecSpec("lz4", 1, true));
    }

    @Test
    void rejectsBadRecords()
    {
        assertThrows(IllegalArgumentException.class, () -> new CodecSpec("LZ4", 1));
        assertThrows(IllegalArgumentException.class, () -> CodecSpec.zstd(23));
        assertThrows(IllegalArgumentException.class, () -> new CodecSpec(null, 1));
        assertThrows(IllegalArgumentException.class, () -> CodecSpec.parse(null));
    }
}
