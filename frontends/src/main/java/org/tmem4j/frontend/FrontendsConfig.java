package org.tmem4j.frontend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.tmem4j.alloc.AllocatorProvider;
import org.tmem4j.alloc.CompactionPolicy;
import org.tmem4j.codec.CodecSpec;
import org.tmem4j.codec.ZstdDictionary;
import org.tmem4j.tmem.Buckets;
import org.tmem4j.zcache.Zcache;

/**
 * Every setting the kernel took as a boot or module parameter ({@code nocleancache}, {@code zcache=lzo},
 * {@code frontswap_has_exclusive_gets}, ...), typed and checked in one place.
 * <p>
 * Built with {@link #builder()}, whose values may come from code, from a properties file and from system
 * properties, all under the same keys ({@code tmem4j.frontends.*}, see {@link Key}). {@link #fromEnvironment()}
 * reads the file named by {@code -Dtmem4j.frontends.config=FILE}, if any, then the system properties, which win.
 * A value that is not allowed, or an unknown key under the prefix (a typo), is an
 * {@link IllegalArgumentException} that names the key, the value and what is allowed.
 */
public final class FrontendsConfig
{
    /** Prefix of every key. */
    public static final String PREFIX = "tmem4j.frontends.";
    /** System property naming a properties file to read before the system properties. */
    public static final String CONFIG_FILE_PROPERTY = PREFIX + "config";

    /**
     * The keys, each under {@link #PREFIX}.
     */
    public enum Key
    {
        /** Whether cleancache uses a backend ({@code nocleancache}); boolean, default true. */
        CLEANCACHE_ENABLED("cleancache.enabled"),
        /** Whether frontswap uses a backend ({@code nofrontswap}); boolean, default true. */
        FRONTSWAP_ENABLED("frontswap.enabled"),
        /** The backend provider's name; default {@code zcache}. */
        BACKEND("backend"),
        /** The allocator's name, {@code zsmalloc} or {@code zbud} (in any case); default {@code zsmalloc}. */
        ALLOCATOR("allocator"),
        /**
         * The codec, {@code lz4}, {@code zstd} or {@code zstd+dict} (a dictionary trained per pool on its own pages;
         * in any case); default {@code lz4}.
         */
        CODEC("codec"),
        /** The codec level: lz4's acceleration, 1 to 65537 (default 1), or the zstd level, -131072 to 22 (default 3). */
        CODEC_LEVEL("codec.level"),
        /**
         * With {@code zstd+dict}: the most bytes of each dictionary, with an optional K or M suffix (binary), 256 to 1M;
         * default 128K. Larger dictionaries hold more of what pages share and cost their bytes once per dictionary.
         */
        CODEC_DICTIONARY_BYTES("codec.dictionaryBytes"),
        /** The backend's memory budget in bytes, with an optional K, M, G or T suffix (binary); default 256M. */
        BUDGET("budget"),
        /**
         * Whether the backend maps and writes its whole budget when it starts, so that no store faults memory in (as
         * {@code -XX:+AlwaysPreTouch} does for the heap); the budget is then held in RAM from the start; boolean,
         * default false.
         */
        PRE_TOUCH("preTouch"),
        /** Hash buckets per pool, as {@link Buckets} allows; default {@value Buckets#DEFAULT}. */
        BUCKETS("buckets"),
        /** Whether a frontswap load takes the page out of the area; boolean, default false. */
        EXCLUSIVE_GETS("frontswap.exclusiveGets"),
        /** Whether every frontswap store also writes the swap file; boolean, default false. */
        WRITETHROUGH("frontswap.writethrough"),
        /**
         * Whether a full budget writes the coldest frontswap pages back to their slots of the swap file (zswap's
         * writeback) instead of sending new pages there; boolean, default false.
         */
        WRITEBACK("frontswap.writeback"),
        /** Whether the backend checksums every page and checks it on every get; boolean, default false. */
        CHECKSUM("checksum"),
        /**
         * Whether the backend keeps a page compressing above 7/8 of a page uncompressed while its budget has room
         * (instead of refusing it, which sends a swapped page to the swap file); boolean, default false.
         */
        RAW_INCOMPRESSIBLE("rawIncompressible"),
        /** Whether idle swap areas are shrunk in the background; boolean, default false. */
        SELFSHRINK("frontswap.selfshrink"),
        /** How often selfshrink looks at the swap areas, in milliseconds, at least 1; default 5000. */
        SELFSHRINK_INTERVAL_MS("frontswap.selfshrink.intervalMs"),
        /**
         * Fragmentation at which the allocator compacts in the background (zsmalloc), in percent of the pages it
         * holds that compaction could give back: 1 to 100, or 0 for explicit compaction only; default 10.
         */
        COMPACTION_FREEABLE_PERCENT("compaction.freeablePercent"),
        /** How often the allocator checks its fragmentation, in milliseconds, at least 1; default 1000. */
        COMPACTION_INTERVAL_MS("compaction.intervalMs"),
        /**
         * The codec idle pages are compressed again with (zram's recompress): {@code off} (the default), or zstd
         * as {@code zstd:LEVEL} or {@code zstd:LEVEL+dict}.
         */
        RECOMPRESS("recompress"),
        /** How long a page must have been idle since its put before it is recompressed, in ms, ≥ 0; default 60000. */
        RECOMPRESS_IDLE_MS("recompress.idleMs"),
        /**
         * Instead of the idle time: the share of each pool's pages, coldest first by put order (zcache's LRU), a
         * recompression pass looks at, 0 (off, the default) or more than 0 and at most 1.
         */
        RECOMPRESS_COLDEST_FRACTION("recompress.coldestFraction"),
        /** The least bytes a page must shrink by to be stored again, ≥ 1; default 32. */
        RECOMPRESS_MIN_SAVED_BYTES("recompress.minSavedBytes"),
        /** How often the recompression agent runs a pass, in ms, ≥ 1; default 1000. */
        RECOMPRESS_INTERVAL_MS("recompress.intervalMs"),
        /**
         * The host daemon's socket, for {@code backend=host}; default {@code host.sock} in
         * {@code tmem4j-host-USER} under {@code java.io.tmpdir}.
         */
        HOST_SOCKET("host.socket"),
        /** Request slots a JVM opens at the host daemon (its parallel requests), 1 to 64; default 4. */
        HOST_SLOTS("host.slots"),
        /**
         * The name this JVM gives itself at the host daemon, which keys its weight and cap there (scoped under the
         * JVM's user), {@code [A-Za-z0-9_.-]{1,64}}; default none (the user's settings).
         */
        HOST_CLIENT("host.client"),
        /** Whether a selfballoon moves the zcache budget with memory pressure; boolean, default false. */
        SELFBALLOON("selfballoon.enabled"),
        /** How often the selfballoon looks, in milliseconds, at least 1; default 1000. */
        SELFBALLOON_INTERVAL_MS("selfballoon.intervalMs"),
        /** The smallest budget the selfballoon sets, in bytes with an optional suffix; default 16M. */
        SELFBALLOON_FLOOR("selfballoon.floor"),
        /** Memory kept free under a cgroup limit, in bytes with an optional suffix; default 64M. */
        SELFBALLOON_RESERVE("selfballoon.reserve"),
        /** PSI {@code some avg10} at which memory counts as under pressure, 0 to 100; default 10. */
        SELFBALLOON_PSI_PERCENT("selfballoon.psiPercent"),
        /** A shrinking move goes this fraction of the way to the target, 1 to 1000; default 1 (all of it). */
        SELFBALLOON_DOWN_HYSTERESIS("selfballoon.downHysteresis"),
        /** A growing move goes this fraction of the way to the target, 1 to 1000; default 8. */
        SELFBALLOON_UP_HYSTERESIS("selfballoon.upHysteresis");

        private final String key;

        Key(final String suffix)
        {
            this.key = PREFIX + suffix;
        }

        /**
         * {@return the full key, e.g. {@code tmem4j.frontends.budget}}
         */
        public String key()
        {
            return key;
        }
    }

    private final boolean cleancacheEnabled;
    private final boolean frontswapEnabled;
    private final String backend;
    private final String allocator;
    private static final String DICTIONARY_BYTES_ALLOWED = "a whole number of bytes from " + ZstdDictionary.MIN_BYTES
        + " to 1M (" + Zcache.MAX_DICTIONARY_BYTES + "), with an optional K or M suffix";
    /** {@code recompress}'s value for no recompression. */
    private static final String RECOMPRESS_OFF = "off";
    private static final String COLDEST_FRACTION_ALLOWED = "0 (off: the idle-time rule) or a decimal fraction " +
        "more than 0 and at most 1, e.g. 0.25";
    private static final String RECOMPRESS_ALLOWED = "off, zstd:LEVEL or zstd:LEVEL+dict (LEVEL -131072 to 22)";

    private final String codec;
    private final boolean codecDictionary;
    private final CodecSpec recompress;
    private final long recompressIdleMs;
    private final double recompressColdestFraction;
    private final int recompressMinSavedBytes;
    private final long recompressIntervalMs;
    private final int codecLevel;
    private final int dictionaryBytes;
    private final long budgetBytes;
    private final boolean preTouch;
    private final int buckets;
    private final boolean exclusiveGets;
    private final boolean writethrough;
    private final boolean writeback;
    private final boolean checksum;
    private final boolean rawIncompressible;
    private final boolean selfshrink;
    private final Duration selfshrinkInterval;
    private final Map<String, String> backendSettings;
    private final CompactionPolicy compaction;
    private final Path hostSocket;
    private final int hostSlots;
    private final String hostClient;
    private final boolean selfballoon;
    private final Duration selfballoonInterval;
    private final long selfballoonFloorBytes;
    private final long selfballoonReserveBytes;
    private final int selfballoonPsiPercent;
    private final int selfballoonDownHysteresis;
    private final int selfballoonUpHysteresis;

    private FrontendsConfig(final Builder b)
    {
        backendSettings = Map.copyOf(b.backendSettings);
        cleancacheEnabled = b.cleancacheEnabled;
        frontswapEnabled = b.frontswapEnabled;
        backend = b.backend;
        allocator = b.allocator;
        codec = b.codec;
        codecDictionary = b.codecDictionary;
        codecLevel = b.codecLevel;
        dictionaryBytes = b.dictionaryBytes;
        budgetBytes = b.budgetBytes;
        preTouch = b.preTouch;
        buckets = b.buckets;
        exclusiveGets = b.exclusiveGets;
        writethrough = b.writethrough;
        writeback = b.writeback;
        checksum = b.checksum;
        rawIncompressible = b.rawIncompressible;
        selfshrink = b.selfshrink;
        selfshrinkInterval = b.selfshrinkInterval;
        compaction = new CompactionPolicy(b.compactionFreeablePercent, b.compactionInterval);
        recompress = b.recompress;
        recompressIdleMs = b.recompressIdleMs;
        recompressColdestFraction = b.recompressColdestFraction;
        recompressMinSavedBytes = b.recompressMinSavedBytes;
        recompressIntervalMs = b.recompressIntervalMs;
        hostSocket = b.hostSocket;
        hostSlots = b.hostSlots;
        hostClient = b.hostClient;
        selfballoon = b.selfballoon;
        selfballoonInterval = b.selfballoonInterval;
        selfballoonFloorBytes = b.selfballoonFloorBytes;
        selfballoonReserveBytes = b.selfballoonReserveBytes;
        selfballoonPsiPercent = b.selfballoonPsiPercent;
        selfballoonDownHysteresis = b.selfballoonDownHysteresis;
        selfballoonUpHysteresis = b.selfballoonUpHysteresis;
    }

    /**
     * {@return a builder holding the defaults}
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * {@return the defaults}
     */
    public static FrontendsConfig defaults()
    {
        return builder().build();
    }

    /**
     * {@return the defaults, overridden by the file named by {@value #CONFIG_FILE_PROPERTY} if set, overridden by
     * the system properties}
     */
    public static FrontendsConfig fromEnvironment()
    {
        final Builder builder = builder();
        final String file = System.getProperty(CONFIG_FILE_PROPERTY);
        if (file != null)
        {
            builder.file(Path.of(file));
        }
        return builder.properties(System.getProperties()).build();
    }

    /** {@return whether cleancache uses a backend} */
    public boolean cleancacheEnabled()
    {
        return cleancacheEnabled;
    }

    /** {@return whether frontswap uses a backend} */
    public boolean frontswapEnabled()
    {
        return frontswapEnabled;
    }

    /** {@return the backend provider's name} */
    public String backend()
    {
        return backend;
    }

    /** {@return the allocator's name} */
    public String allocator()
    {
        return allocator;
    }

    /** {@return the codec as configured: {@code lz4}, {@code zstd} or {@code zstd+dict}} */
    public String codec()
    {
        return codecDictionary ? codec + CodecSpec.DICTIONARY_SUFFIX : codec;
    }

    /** {@return the recompression codec, or null for none ({@code recompress=off})} */
    public CodecSpec recompress()
    {
        return recompress;
    }

    /** {@return how long a page must have been idle before it is recompressed, in ms} */
    public long recompressIdleMs()
    {
        return recompressIdleMs;
    }

    /**
     * {@return the share of each pool's pages, coldest first by put order, a recompression pass looks at instead of
     * idle pages; 0 for the idle-time rule}
     */
    public double recompressColdestFraction()
    {
        return recompressColdestFraction;
    }

    /** {@return the least bytes a page must shrink by to be stored again} */
    public int recompressMinSavedBytes()
    {
        return recompressMinSavedBytes;
    }

    /** {@return how often the recompression agent runs, in ms} */
    public long recompressIntervalMs()
    {
        return recompressIntervalMs;
    }

    /** {@return the codec level: lz4's acceleration or the zstd level} */
    public int codecLevel()
    {
        return codecLevel;
    }

    /** {@return the most bytes of each dictionary a {@code zstd+dict} pool makes} */
    public int dictionaryBytes()
    {
        return dictionaryBytes;
    }

    /** {@return the codec and level as the engine takes them} */
    public CodecSpec codecSpec()
    {
        return new CodecSpec(codec, codecLevel, codecDictionary);
    }

    /** {@return the backend's budget in bytes} */
    public long budgetBytes()
    {
        return budgetBytes;
    }

    /** {@return whether the backend maps and writes its whole budget when it starts} */
    public boolean preTouch()
    {
        return preTouch;
    }

    /** {@return hash buckets per pool} */
    public int buckets()
    {
        return buckets;
    }

    /** {@return whether a frontswap load takes the page out of its area} */
    public boolean exclusiveGets()
    {
        return exclusiveGets;
    }

    /** {@return whether every frontswap store also writes the swap file} */
    public boolean writethrough()
    {
        return writethrough;
    }

    /** {@return whether a full budget writes the coldest frontswap pages back to the swap file} */
    public boolean writeback()
    {
        return writeback;
    }

    /** {@return whether the backend checksums pages} */
    public boolean checksum()
    {
        return checksum;
    }

    /** {@return whether the backend keeps incompressible pages uncompressed while its budget has room} */
    public boolean rawIncompressible()
    {
        return rawIncompressible;
    }

    /** {@return whether idle swap areas shrink in the background} */
    public boolean selfshrink()
    {
        return selfshrink;
    }

    /** {@return how often selfshrink looks at the swap areas} */
    public Duration selfshrinkInterval()
    {
        return selfshrinkInterval;
    }

    /** {@return when the allocator compacts in the background} */
    public CompactionPolicy compaction()
    {
        return compaction;
    }

    /** {@return the host daemon's socket} */
    public Path hostSocket()
    {
        return hostSocket;
    }

    /** {@return request slots a JVM opens at the host daemon} */
    public int hostSlots()
    {
        return hostSlots;
    }

    /** {@return the name this JVM gives itself at the host daemon, or the empty string for none} */
    public String hostClient()
    {
        return hostClient;
    }

    /** {@return whether a selfballoon moves the zcache budget with memory pressure} */
    public boolean selfballoon()
    {
        return selfballoon;
    }

    /** {@return how often the selfballoon looks} */
    public Duration selfballoonInterval()
    {
        return selfballoonInterval;
    }

    /** {@return the smallest budget the selfballoon sets} */
    public long selfballoonFloorBytes()
    {
        return selfballoonFloorBytes;
    }

    /** {@return the memory kept free under a cgroup limit} */
    public long selfballoonReserveBytes()
    {
        return selfballoonReserveBytes;
    }

    /** {@return the PSI {@code some avg10} percentage that counts as pressure} */
    public int selfballoonPsiPercent()
    {
        return selfballoonPsiPercent;
    }

    /** {@return the fraction of the way a shrinking move goes (1: all of it)} */
    public int selfballoonDownHysteresis()
    {
        return selfballoonDownHysteresis;
    }

    /** {@return the fraction of the way a growing move goes} */
    public int selfballoonUpHysteresis()
    {
        return selfballoonUpHysteresis;
    }

    /**
     * Settings a backend provider reads for itself: every key {@code tmem4j.frontends.PROVIDER.NAME} whose first
     * part is not one of the frontends' own (e.g. {@code tmem4j.frontends.ramster.ephemeral.uri}). The provider
     * checks them and names any it does not know.
     *
     * @param provider a provider name, e.g. {@code ramster}.
     * @return the provider's settings by the rest of their key (e.g. {@code ephemeral.uri}), possibly empty.
     */
    public Map<String, String> backendSettings(final String provider)
    {
        final String prefix = provider + ".";
        final Map<String, String> settings = new TreeMap<>();
        backendSettings.forEach((key, value) ->
        {
            if (key.startsWith(prefix))
            {
                settings.put(key.substring(prefix.length()), value);
            }
        });
        return settings;
    }

    /**
     * {@return this configuration as properties under the documented keys (what {@link Builder#properties} reads)}
     */
    public Properties toProperties()
    {
        final Properties p = new Properties();
        p.setProperty(Key.CLEANCACHE_ENABLED.key(), Boolean.toString(cleancacheEnabled));
        p.setProperty(Key.FRONTSWAP_ENABLED.key(), Boolean.toString(frontswapEnabled));
        p.setProperty(Key.BACKEND.key(), backend);
        p.setProperty(Key.ALLOCATOR.key(), allocator);
        p.setProperty(Key.CODEC.key(), codec());
        p.setProperty(Key.CODEC_LEVEL.key(), Integer.toString(codecLevel));
        p.setProperty(Key.CODEC_DICTIONARY_BYTES.key(), Integer.toString(dictionaryBytes));
        p.setProperty(Key.BUDGET.key(), Long.toString(budgetBytes));
        p.setProperty(Key.PRE_TOUCH.key(), Boolean.toString(preTouch));
        p.setProperty(Key.BUCKETS.key(), Integer.toString(buckets));
        p.setProperty(Key.EXCLUSIVE_GETS.key(), Boolean.toString(exclusiveGets));
        p.setProperty(Key.WRITETHROUGH.key(), Boolean.toString(writethrough));
        p.setProperty(Key.WRITEBACK.key(), Boolean.toString(writeback));
        p.setProperty(Key.CHECKSUM.key(), Boolean.toString(checksum));
        p.setProperty(Key.RAW_INCOMPRESSIBLE.key(), Boolean.toString(rawIncompressible));
        p.setProperty(Key.SELFSHRINK.key(), Boolean.toString(selfshrink));
        p.setProperty(Key.SELFSHRINK_INTERVAL_MS.key(), Long.toString(selfshrinkInterval.toMillis()));
        backendSettings.forEach((key, value) -> p.setProperty(PREFIX + key, value));
        p.setProperty(Key.COMPACTION_FREEABLE_PERCENT.key(), Integer.toString(compaction.freeablePercent()));
        p.setProperty(Key.COMPACTION_INTERVAL_MS.key(), Long.toString(compaction.interval().toMillis()));
        p.setProperty(Key.RECOMPRESS.key(), recompress == null ? RECOMPRESS_OFF : recompress.toString());
        p.setProperty(Key.RECOMPRESS_IDLE_MS.key(), Long.toString(recompressIdleMs));
        p.setProperty(Key.RECOMPRESS_COLDEST_FRACTION.key(), Double.toString(recompressColdestFraction));
        p.setProperty(Key.RECOMPRESS_MIN_SAVED_BYTES.key(), Integer.toString(recompressMinSavedBytes));
        p.setProperty(Key.RECOMPRESS_INTERVAL_MS.key(), Long.toString(recompressIntervalMs));
        p.setProperty(Key.HOST_SOCKET.key(), hostSocket.toString());
        p.setProperty(Key.HOST_SLOTS.key(), Integer.toString(hostSlots));
        p.setProperty(Key.HOST_CLIENT.key(), hostClient);
        p.setProperty(Key.SELFBALLOON.key(), Boolean.toString(selfballoon));
        p.setProperty(Key.SELFBALLOON_INTERVAL_MS.key(), Long.toString(selfballoonInterval.toMillis()));
        p.setProperty(Key.SELFBALLOON_FLOOR.key(), Long.toString(selfballoonFloorBytes));
        p.setProperty(Key.SELFBALLOON_RESERVE.key(), Long.toString(selfballoonReserveBytes));
        p.setProperty(Key.SELFBALLOON_PSI_PERCENT.key(), Integer.toString(selfballoonPsiPercent));
        p.setProperty(Key.SELFBALLOON_DOWN_HYSTERESIS.key(), Integer.toString(selfballoonDownHysteresis));
        p.setProperty(Key.SELFBALLOON_UP_HYSTERESIS.key(), Integer.toString(selfballoonUpHysteresis));
        return p;
    }

    @Override
    public String toString()
    {
        return "FrontendsConfig" + new java.util.TreeMap<>(toProperties());
    }

    /**
     * Collects settings; every setter checks its value at once.
     */
    public static final class Builder
    {
        private boolean cleancacheEnabled = true;
        private boolean frontswapEnabled = true;
        private String backend = "zcache";
        private String allocator = "zsmalloc";
        private String codec = "lz4";
        private boolean codecDictionary;
        private Integer codecLevel;
        private int dictionaryBytes = Zcache.DEFAULT_DICTIONARY_BYTES;
        private long budgetBytes = 256L << 20;
        private boolean preTouch;
        private int buckets = Buckets.DEFAULT;
        private boolean exclusiveGets;
        private boolean writethrough;
        private boolean writeback;
        private boolean checksum;
        private boolean rawIncompressible;
        private boolean selfshrink;
        private Duration selfshrinkInterval = Duration.ofSeconds(5);
        private final Map<String, String> backendSettings = new TreeMap<>();
        private int compactionFreeablePercent = CompactionPolicy.DEFAULT.freeablePercent();
        private Duration compactionInterval = CompactionPolicy.DEFAULT.interval();
        private CodecSpec recompress;
        private long recompressIdleMs = 60_000;
        private double recompressColdestFraction;
        private int recompressMinSavedBytes = 32;
        private long recompressIntervalMs = 1_000;
        private Path hostSocket = Path.of(System.getProperty("java.io.tmpdir"),
            "tmem4j-host-" + System.getProperty("user.name"), "host.sock");
        private int hostSlots = 4;
        private String hostClient = "";
        private boolean selfballoon;
        private Duration selfballoonInterval = Duration.ofSeconds(1);
        private long selfballoonFloorBytes = 16L << 20;
        private long selfballoonReserveBytes = 64L << 20;
        private int selfballoonPsiPercent = 10;
        private int selfballoonDownHysteresis = 1;
        private int selfballoonUpHysteresis = 8;

        private Builder()
        {
        }

        /**
         * Sets {@code cleancacheEnabled}: whether cleancache uses a backend.
         *
         * @param enabled whether cleancache uses a backend.
         * @return this builder.
         */
        public Builder cleancacheEnabled(final boolean enabled)
        {
            cleancacheEnabled = enabled;
            return this;
        }

        /**
         * Sets {@code frontswapEnabled}: whether frontswap uses a backend.
         *
         * @param enabled whether frontswap uses a backend.
         * @return this builder.
         */
        public Builder frontswapEnabled(final boolean enabled)
        {
            frontswapEnabled = enabled;
            return this;
        }

        /**
         * Sets {@code backend}: the backend provider's name.
         *
         * @param name the backend provider's name.
         * @return this builder.
         */
        public Builder backend(final String name)
        {
            backend = requireName(Key.BACKEND, name);
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param name the allocator's name, in any case; checked against the allocators on the class path, if there
         *             are any.
         */
        public Builder allocator(final String name)
        {
            requireName(Key.ALLOCATOR, name);
            final List<String> known = AllocatorProvider.names();
            allocator = known.isEmpty() ? name : known.stream().filter(name::equalsIgnoreCase).findFirst()
                .orElseThrow(() -> invalid(Key.ALLOCATOR, name, "one of " + String.join(", ", known) + " (in any case)"));
            return this;
        }

        /**
         * Sets {@code codec}: {@code lz4}, {@code zstd} or {@code zstd+dict}, in any case.
         *
         * @param name {@code lz4}, {@code zstd} or {@code zstd+dict} (zstd with a dictionary trained per pool on its
         *             own pages), in any case.
         * @return this builder.
         */
        public Builder codec(final String name)
        {
            final String lowerCase = requireName(Key.CODEC, name).toLowerCase(Locale.ROOT);
            final boolean dictionary = lowerCase.equals(CodecSpec.ZSTD + CodecSpec.DICTIONARY_SUFFIX);
            if (!CodecSpec.LZ4.equals(lowerCase) && !CodecSpec.ZSTD.equals(lowerCase) && !dictionary)
            {
                throw invalid(Key.CODEC, name, "lz4, zstd or zstd+dict (in any case)");
            }
            codec = dictionary ? CodecSpec.ZSTD : lowerCase;
            codecDictionary = dictionary;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param level lz4's acceleration (1 to 65537) or the zstd level (-131072 to 22), checked against the codec
         *              when the configuration is built.
         */
        public Builder codecLevel(final int level)
        {
            codecLevel = level;
            return this;
        }

        /**
         * Sets {@code codec.dictionaryBytes}: the most bytes of each dictionary a {@code zstd+dict} pool makes.
         *
         * @param bytes {@value ZstdDictionary#MIN_BYTES} to {@value Zcache#MAX_DICTIONARY_BYTES}.
         * @return this builder.
         */
        public Builder dictionaryBytes(final int bytes)
        {
            if (bytes < ZstdDictionary.MIN_BYTES || bytes > Zcache.MAX_DICTIONARY_BYTES)
            {
                throw invalid(Key.CODEC_DICTIONARY_BYTES, Integer.toString(bytes), DICTIONARY_BYTES_ALLOWED);
            }
            dictionaryBytes = bytes;
            return this;
        }

        /**
         * Sets {@code budgetBytes}: the budget, at least one 4 KiB page.
         *
         * @param bytes the budget, at least one 4 KiB page.
         * @return this builder.
         */
        public Builder budgetBytes(final long bytes)
        {
            if (bytes < 4096)
            {
                throw invalid(Key.BUDGET, Long.toString(bytes), "at least 4096 bytes");
            }
            budgetBytes = bytes;
            return this;
        }

        /**
         * Sets {@code preTouch}: whether the backend maps and writes its whole budget when it starts.
         *
         * @param enabled whether the backend maps and writes its whole budget when it starts.
         * @return this builder.
         */
        public Builder preTouch(final boolean enabled)
        {
            preTouch = enabled;
            return this;
        }

        /**
         * Sets {@code buckets}: as {@link Buckets} allows.
         *
         * @param count as {@link Buckets} allows.
         * @return this builder.
         */
        public Builder buckets(final int count)
        {
            if (!Buckets.isBucketCount(count))
            {
                throw invalid(Key.BUCKETS, Integer.toString(count), Buckets.ALLOWED);
            }
            buckets = count;
            return this;
        }

        /**
         * Sets {@code exclusiveGets}: whether a frontswap load takes the page out of its area.
         *
         * @param exclusive whether a frontswap load takes the page out of its area.
         * @return this builder.
         */
        public Builder exclusiveGets(final boolean exclusive)
        {
            exclusiveGets = exclusive;
            return this;
        }

        /**
         * Sets {@code writethrough}: whether every frontswap store also writes the swap file.
         *
         * @param enabled whether every frontswap store also writes the swap file.
         * @return this builder.
         */
        public Builder writethrough(final boolean enabled)
        {
            writethrough = enabled;
            return this;
        }

        /**
         * Sets {@code frontswap.writeback}: whether a full budget writes the coldest frontswap pages back to their
         * slots of the swap file (after any tier above it, such as ramster's Redis, refused them).
         *
         * @param enabled whether the backend writes cold frontswap pages back.
         * @return this builder.
         */
        public Builder writeback(final boolean enabled)
        {
            writeback = enabled;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param enabled whether the backend keeps incompressible pages uncompressed while its budget has room.
         */
        public Builder rawIncompressible(final boolean enabled)
        {
            rawIncompressible = enabled;
            return this;
        }

        /**
         * Sets {@code checksum}: whether the backend checksums pages.
         *
         * @param enabled whether the backend checksums pages.
         * @return this builder.
         */
        public Builder checksum(final boolean enabled)
        {
            checksum = enabled;
            return this;
        }

        /**
         * Sets {@code selfshrink}: whether idle swap areas shrink in the background.
         *
         * @param enabled whether idle swap areas shrink in the background.
         * @return this builder.
         */
        public Builder selfshrink(final boolean enabled)
        {
            selfshrink = enabled;
            return this;
        }

        /**
         * Sets {@code selfshrinkInterval}: how often selfshrink looks, at least 1 ms.
         *
         * @param interval how often selfshrink looks, at least 1 ms.
         * @return this builder.
         */
        public Builder selfshrinkInterval(final Duration interval)
        {
            if (interval == null || interval.toMillis() < 1)
            {
                throw invalid(Key.SELFSHRINK_INTERVAL_MS, String.valueOf(interval == null ? null :
                    interval.toMillis()), "a whole number of milliseconds, at least 1");
            }
            selfshrinkInterval = interval;
            return this;
        }

        /**
         * Sets {@code hostSocket}: the host daemon's socket.
         *
         * @param socket the host daemon's socket.
         * @return this builder.
         */
        public Builder hostSocket(final Path socket)
        {
            if (socket == null || socket.toString().isEmpty())
            {
                throw invalid(Key.HOST_SOCKET, String.valueOf(socket), "the path of the host daemon's socket");
            }
            hostSocket = socket;
            return this;
        }

        /**
         * Sets {@code hostSlots}: request slots at the host daemon, 1 to 64.
         *
         * @param slots request slots at the host daemon, 1 to 64.
         * @return this builder.
         */
        public Builder hostSlots(final int slots)
        {
            if (slots < 1 || slots > 64)
            {
                throw invalid(Key.HOST_SLOTS, Integer.toString(slots), "a whole number from 1 to 64");
            }
            hostSlots = slots;
            return this;
        }

        /**
         * Sets {@code hostClient}: the name this JVM gives itself at the host daemon.
         *
         * @param name {@code [A-Za-z0-9_.-]{1,64}}, or the empty string for none.
         * @return this builder.
         */
        public Builder hostClient(final String name)
        {
            if (name == null || !name.isEmpty() && !name.matches("[A-Za-z0-9_.-]{1,64}"))
            {
                throw invalid(Key.HOST_CLIENT, String.valueOf(name), "[A-Za-z0-9_.-]{1,64}, or empty for none");
            }
            hostClient = name;
            return this;
        }

        /**
         * Sets {@code selfballoon}: whether a selfballoon moves the zcache budget.
         *
         * @param enabled whether a selfballoon moves the zcache budget.
         * @return this builder.
         */
        public Builder selfballoon(final boolean enabled)
        {
            selfballoon = enabled;
            return this;
        }

        /**
         * Sets {@code selfballoonInterval}: how often the selfballoon looks, at least 1 ms.
         *
         * @param interval how often the selfballoon looks, at least 1 ms.
         * @return this builder.
         */
        public Builder selfballoonInterval(final Duration interval)
        {
            if (interval == null || interval.toMillis() < 1)
            {
                throw invalid(Key.SELFBALLOON_INTERVAL_MS, String.valueOf(interval == null ? null :
                    interval.toMillis()), "a whole number of milliseconds, at least 1");
            }
            selfballoonInterval = interval;
            return this;
        }

        /**
         * Sets {@code selfballoonFloorBytes}: the smallest budget the selfballoon sets, at least 4096.
         *
         * @param bytes the smallest budget the selfballoon sets, at least 4096.
         * @return this builder.
         */
        public Builder selfballoonFloorBytes(final long bytes)
        {
            if (bytes < 4096)
            {
                throw invalid(Key.SELFBALLOON_FLOOR, Long.toString(bytes), "at least 4096 bytes");
            }
            selfballoonFloorBytes = bytes;
            return this;
        }

        /**
         * Sets {@code selfballoonReserveBytes}: memory kept free under a cgroup limit, at least 0.
         *
         * @param bytes memory kept free under a cgroup limit, at least 0.
         * @return this builder.
         */
        public Builder selfballoonReserveBytes(final long bytes)
        {
            if (bytes < 0)
            {
                throw invalid(Key.SELFBALLOON_RESERVE, Long.toString(bytes), "a number of bytes >= 0");
            }
            selfballoonReserveBytes = bytes;
            return this;
        }

        /**
         * Sets {@code selfballoonPsiPercent}: pSI some avg10 that counts as pressure, 0 to 100.
         *
         * @param percent PSI some avg10 that counts as pressure, 0 to 100.
         * @return this builder.
         */
        public Builder selfballoonPsiPercent(final int percent)
        {
            if (percent < 0 || percent > 100)
            {
                throw invalid(Key.SELFBALLOON_PSI_PERCENT, Integer.toString(percent), "a percentage from 0 to 100");
            }
            selfballoonPsiPercent = percent;
            return this;
        }

        /**
         * Sets {@code selfballoonDownHysteresis}: the fraction of the way a shrinking move goes, 1 to 1000.
         *
         * @param hysteresis the fraction of the way a shrinking move goes, 1 to 1000.
         * @return this builder.
         */
        public Builder selfballoonDownHysteresis(final int hysteresis)
        {
            selfballoonDownHysteresis = requireHysteresis(Key.SELFBALLOON_DOWN_HYSTERESIS, hysteresis);
            return this;
        }

        /**
         * Sets {@code selfballoonUpHysteresis}: the fraction of the way a growing move goes, 1 to 1000.
         *
         * @param hysteresis the fraction of the way a growing move goes, 1 to 1000.
         * @return this builder.
         */
        public Builder selfballoonUpHysteresis(final int hysteresis)
        {
            selfballoonUpHysteresis = requireHysteresis(Key.SELFBALLOON_UP_HYSTERESIS, hysteresis);
            return this;
        }

        /**
         * Adds a setting a backend provider reads for itself.
         *
         * @param key   a backend provider's setting without {@link #PREFIX}: {@code PROVIDER.NAME}, e.g.
         *              {@code ramster.ephemeral.uri}; its first part must not be one of the frontends' own.
         * @param value the value, which the provider checks.
         * @return this builder.
         */
        public Builder backendSetting(final String key, final String value)
        {
            if (key == null || !isBackendSetting(key))
            {
                throw new IllegalArgumentException("backend setting key must be PROVIDER.NAME with a provider other "
                    + "than " + String.join(", ", ownFirstParts()) + ", was " + key);
            }
            if (value == null)
            {
                throw new IllegalArgumentException("backend setting " + key + " has no value");
            }
            backendSettings.put(key, value);
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param percent fragmentation that triggers a background compaction, in percent of the pages held that
         *                compaction could give back: 1 to 100, or 0 for explicit compaction only.
         */
        public Builder compactionFreeablePercent(final int percent)
        {
            if (percent < 0 || percent > 100)
            {
                throw invalid(Key.COMPACTION_FREEABLE_PERCENT, Integer.toString(percent), "0 (off) or 1 to 100");
            }
            compactionFreeablePercent = percent;
            return this;
        }

        /**
         * Sets {@code compactionInterval}: how often the allocator checks its fragmentation, at least 1 ms.
         *
         * @param interval how often the allocator checks its fragmentation, at least 1 ms.
         * @return this builder.
         */
        public Builder compactionInterval(final Duration interval)
        {
            if (interval == null || interval.toMillis() < 1)
            {
                throw invalid(Key.COMPACTION_INTERVAL_MS, String.valueOf(interval == null ? null :
                    interval.toMillis()), "a whole number of milliseconds, at least 1");
            }
            compactionInterval = interval;
            return this;
        }

        /**
         * Sets {@code recompress}: the codec idle pages are compressed again with.
         *
         * @param spec {@code off}, or zstd as {@link CodecSpec#parse(String)} reads it ({@code zstd:9},
         *             {@code zstd:3+dict}).
         * @return this builder.
         */
        public Builder recompress(final String spec)
        {
            final String text = requireName(Key.RECOMPRESS, spec).strip();
            if (text.equalsIgnoreCase(RECOMPRESS_OFF))
            {
                recompress = null;
                return this;
            }
            final CodecSpec parsed;
            try
            {
                parsed = CodecSpec.parse(text);
            }
            catch (final IllegalArgumentException ex)
            {
                throw invalid(Key.RECOMPRESS, spec, RECOMPRESS_ALLOWED);
            }
            if (!CodecSpec.ZSTD.equals(parsed.name()))
            {
                throw invalid(Key.RECOMPRESS, spec, RECOMPRESS_ALLOWED);
            }
            recompress = parsed;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param ms how long a page must have been idle since its put before it is recompressed, ≥ 0.
         */
        public Builder recompressIdleMs(final long ms)
        {
            if (ms < 0)
            {
                throw invalid(Key.RECOMPRESS_IDLE_MS, Long.toString(ms), "a whole number of milliseconds, at least 0");
            }
            recompressIdleMs = ms;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param fraction 0 (the idle-time rule), or more than 0 and at most 1: the share of each pool's pages,
         *                 coldest first by put order, a recompression pass looks at instead of idle pages.
         */
        public Builder recompressColdestFraction(final double fraction)
        {
            if (!(fraction >= 0 && fraction <= 1))
            {
                throw invalid(Key.RECOMPRESS_COLDEST_FRACTION, Double.toString(fraction), COLDEST_FRACTION_ALLOWED);
            }
            recompressColdestFraction = fraction;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param bytes the least bytes a page must shrink by to be stored again, ≥ 1.
         */
        public Builder recompressMinSavedBytes(final int bytes)
        {
            if (bytes < 1)
            {
                throw invalid(Key.RECOMPRESS_MIN_SAVED_BYTES, Integer.toString(bytes), "a whole number, at least 1");
            }
            recompressMinSavedBytes = bytes;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param ms how often the recompression agent runs a pass, ≥ 1.
         */
        public Builder recompressIntervalMs(final long ms)
        {
            if (ms < 1)
            {
                throw invalid(Key.RECOMPRESS_INTERVAL_MS, Long.toString(ms), "a whole number of milliseconds, at least 1");
            }
            recompressIntervalMs = ms;
            return this;
        }

        /**
         * Applies every key under {@link #PREFIX} found in the properties.
         *
         * @param properties the properties; keys without the prefix are ignored.
         * @return this builder.
         * @throws IllegalArgumentException for an unknown key under the prefix or a value that is not allowed.
         */
        public Builder properties(final Properties properties)
        {
            if (properties == null)
            {
                throw new IllegalArgumentException("properties is null");
            }
            for (final String name : new TreeSet<>(properties.stringPropertyNames()))
            {
                if (name.startsWith(PREFIX) && !CONFIG_FILE_PROPERTY.equals(name))
                {
                    apply(name, properties.getProperty(name).trim());
                }
            }
            return this;
        }

        /**
         * Applies the keys of a properties file.
         *
         * @param file the file.
         * @return this builder.
         * @throws UncheckedIOException     if it cannot be read.
         * @throws IllegalArgumentException naming the file, if it is not a valid properties file or holds a key or
         *                                  value that is not allowed.
         */
        public Builder file(final Path file)
        {
            if (file == null)
            {
                throw new IllegalArgumentException("file is null; give the path of a properties file");
            }
            final Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(file))
            {
                properties.load(in);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read frontends configuration file " + file, ex);
            }
            catch (final IllegalArgumentException ex)
            {
                // Properties.load reports a malformed backslash-u escape without naming the file
                throw new IllegalArgumentException("frontends configuration file " + file + " is not a valid "
                    + "properties file: " + ex.getMessage(), ex);
            }
            try
            {
                return properties(properties);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("frontends configuration file " + file + ": " + ex.getMessage(), ex);
            }
        }

        /**
         * {@return the configuration}
         *
         * @throws IllegalArgumentException if the codec level is outside its codec's range.
         */
        public FrontendsConfig build()
        {
            final boolean zstd = CodecSpec.ZSTD.equals(codec);
            final int min = zstd ? CodecSpec.ZSTD_MIN_LEVEL : CodecSpec.LZ4_MIN_ACCELERATION;
            final int max = zstd ? CodecSpec.ZSTD_MAX_LEVEL : CodecSpec.LZ4_MAX_ACCELERATION;
            if (codecLevel != null && (codecLevel < min || codecLevel > max))
            {
                throw invalid(Key.CODEC_LEVEL, codecLevel.toString(), zstd
                    ? "a zstd level from " + min + " to " + max
                    : "an lz4 acceleration from " + min + " to " + max);
            }
            final Integer given = codecLevel;
            codecLevel = given != null ? given : zstd ? CodecSpec.ZSTD_DEFAULT_LEVEL : CodecSpec.LZ4_MIN_ACCELERATION;
            try
            {
                return new FrontendsConfig(this);
            }
            finally
            {
                codecLevel = given;
            }
        }

        private void apply(final String name, final String value)
        {
            final String suffix = name.substring(PREFIX.length());
            if (isBackendSetting(suffix))
            {
                backendSetting(suffix, value);
                return;
            }
            final Key key = keyOf(name);
            switch (key)
            {
                case CLEANCACHE_ENABLED -> cleancacheEnabled(parseBoolean(key, value));
                case FRONTSWAP_ENABLED -> frontswapEnabled(parseBoolean(key, value));
                case BACKEND -> backend(value);
                case ALLOCATOR -> allocator(value);
                case CODEC -> codec(value);
                case CODEC_LEVEL -> codecLevel((int)parseLong(key, value, "a whole number: an lz4 acceleration from "
                    + CodecSpec.LZ4_MIN_ACCELERATION + " to " + CodecSpec.LZ4_MAX_ACCELERATION + " or a zstd level from "
                    + CodecSpec.ZSTD_MIN_LEVEL + " to " + CodecSpec.ZSTD_MAX_LEVEL, Integer.MIN_VALUE,
                    Integer.MAX_VALUE));
                case CODEC_DICTIONARY_BYTES -> dictionaryBytes(parseDictionaryBytes(value));
                case BUDGET -> budgetBytes(parseBytes(key, value, 4096));
                case PRE_TOUCH -> preTouch(parseBoolean(key, value));
                case BUCKETS -> buckets((int)parseLong(key, value, Buckets.ALLOWED, 1, Buckets.MAX));
                case EXCLUSIVE_GETS -> exclusiveGets(parseBoolean(key, value));
                case WRITETHROUGH -> writethrough(parseBoolean(key, value));
                case WRITEBACK -> writeback(parseBoolean(key, value));
                case CHECKSUM -> checksum(parseBoolean(key, value));
                case RAW_INCOMPRESSIBLE -> rawIncompressible(parseBoolean(key, value));
                case SELFSHRINK -> selfshrink(parseBoolean(key, value));
                case SELFSHRINK_INTERVAL_MS -> selfshrinkInterval(Duration.ofMillis(parseLong(key, value,
                    "a whole number of milliseconds, at least 1", 1, Long.MAX_VALUE)));
                case COMPACTION_FREEABLE_PERCENT -> compactionFreeablePercent((int)parseLong(key, value,
                    "0 (off) or 1 to 100", 0, 100));
                case COMPACTION_INTERVAL_MS -> compactionInterval(Duration.ofMillis(parseLong(key, value,
                    "a whole number of milliseconds, at least 1", 1, Long.MAX_VALUE)));
                case RECOMPRESS -> recompress(value);
                case RECOMPRESS_IDLE_MS -> recompressIdleMs(parseLong(key, value,
                    "a whole number of milliseconds, at least 0", 0, Long.MAX_VALUE));
                case RECOMPRESS_COLDEST_FRACTION -> recompressColdestFraction(parseFraction(key, value));
                case RECOMPRESS_MIN_SAVED_BYTES -> recompressMinSavedBytes((int)parseLong(key, value,
                    "a whole number, at least 1", 1, Integer.MAX_VALUE));
                case RECOMPRESS_INTERVAL_MS -> recompressIntervalMs(parseLong(key, value,
                    "a whole number of milliseconds, at least 1", 1, Long.MAX_VALUE));
                case HOST_SOCKET -> hostSocket(Path.of(value));
                case HOST_SLOTS -> hostSlots((int)parseLong(key, value, "a whole number from 1 to 64", 1, 64));
                case HOST_CLIENT -> hostClient(value);
                case SELFBALLOON -> selfballoon(parseBoolean(key, value));
                case SELFBALLOON_INTERVAL_MS -> selfballoonInterval(Duration.ofMillis(parseLong(key, value,
                    "a whole number of milliseconds, at least 1", 1, Long.MAX_VALUE)));
                case SELFBALLOON_FLOOR -> selfballoonFloorBytes(parseBytes(key, value, 4096));
                case SELFBALLOON_RESERVE -> selfballoonReserveBytes(parseBytes(key, value, 0));
                case SELFBALLOON_PSI_PERCENT -> selfballoonPsiPercent((int)parseLong(key, value,
                    "a percentage from 0 to 100", 0, 100));
                case SELFBALLOON_DOWN_HYSTERESIS -> selfballoonDownHysteresis((int)parseLong(key, value,
                    "a whole number from 1 to 1000", 1, 1000));
                case SELFBALLOON_UP_HYSTERESIS -> selfballoonUpHysteresis((int)parseLong(key, value,
                    "a whole number from 1 to 1000", 1, 1000));
            }
        }

        private static boolean isBackendSetting(final String suffix)
        {
            final int dot = suffix.indexOf('.');
            return dot > 0 && dot < suffix.length() - 1 && !ownFirstParts().contains(suffix.substring(0, dot));
        }

        /**
         * @return the first parts of the frontends' own keys ({@code cleancache}, {@code frontswap}, ...).
         */
        private static Set<String> ownFirstParts()
        {
            final Set<String> parts = new TreeSet<>();
            for (final Key key : Key.values())
            {
                parts.add(key.key().substring(PREFIX.length()).split("\\.")[0]);
            }
            return parts;
        }

        private static Key keyOf(final String name)
        {
            for (final Key key : Key.values())
            {
                if (key.key().equals(name))
                {
                    return key;
                }
            }
            final List<String> known = java.util.Arrays.stream(Key.values()).map(Key::key).toList();
            throw new IllegalArgumentException("unknown key " + name + "; the keys are " + String.join(", ", known)
                + " and " + CONFIG_FILE_PROPERTY);
        }

        private static boolean parseBoolean(final Key key, final String value)
        {
            return switch (value.toLowerCase(Locale.ROOT))
            {
                case "true" -> true;
                case "false" -> false;
                default -> throw invalid(key, value, "true or false");
            };
        }

        private static long parseLong(
            final Key key, final String value, final String allowed, final long min, final long max)
        {
            final long parsed;
            try
            {
                parsed = Long.parseLong(value);
            }
            catch (final NumberFormatException ex)
            {
                throw invalid(key, value, allowed);
            }
            if (parsed < min || parsed > max)
            {
                throw invalid(key, value, allowed);
            }
            return parsed;
        }

        private static double parseFraction(final Key key, final String value)
        {
            final double parsed;
            try
            {
                parsed = Double.parseDouble(value);
            }
            catch (final NumberFormatException ex)
            {
                throw invalid(key, value, COLDEST_FRACTION_ALLOWED);
            }
            if (!(parsed >= 0 && parsed <= 1))
            {
                throw invalid(key, value, COLDEST_FRACTION_ALLOWED);
            }
            return parsed;
        }

        private static int parseDictionaryBytes(final String value)
        {
            final long bytes;
            try
            {
                bytes = parseBytes(Key.CODEC_DICTIONARY_BYTES, value, ZstdDictionary.MIN_BYTES);
            }
            catch (final IllegalArgumentException ex)
            {
                throw invalid(Key.CODEC_DICTIONARY_BYTES, value, DICTIONARY_BYTES_ALLOWED);
            }
            if (bytes > Zcache.MAX_DICTIONARY_BYTES)
            {
                throw invalid(Key.CODEC_DICTIONARY_BYTES, value, DICTIONARY_BYTES_ALLOWED);
            }
            return (int)bytes;
        }

        private static long parseBytes(final Key key, final String value, final long min)
        {
            final String allowed = "a whole number of bytes from " + min + " to " + (Long.MAX_VALUE >> 40) + "T, with "
                + "an optional K, M, G or T suffix";
            if (value.isEmpty())
            {
                throw invalid(key, value, allowed);
            }
            final char last = Character.toUpperCase(value.charAt(value.length() - 1));
            final int shift = switch (last)
            {
                case 'K' -> 10;
                case 'M' -> 20;
                case 'G' -> 30;
                case 'T' -> 40;
                default -> 0;
            };
            final String digits = shift == 0 ? value : value.substring(0, value.length() - 1);
            final long number;
            try
            {
                number = Long.parseLong(digits);
            }
            catch (final NumberFormatException ex)
            {
                throw invalid(key, value, allowed);
            }
            if (number < 0 || number > Long.MAX_VALUE >> shift || number << shift < min)
            {
                throw invalid(key, value, allowed);
            }
            return number << shift;
        }

        private static int requireHysteresis(final Key key, final int hysteresis)
        {
            if (hysteresis < 1 || hysteresis > 1000)
            {
                throw invalid(key, Integer.toString(hysteresis), "a whole number from 1 to 1000");
            }
            return hysteresis;
        }

        private static String requireName(final Key key, final String name)
        {
            if (name == null || name.isBlank())
            {
                throw invalid(key, String.valueOf(name), "a non-empty name");
            }
            return name;
        }

        private static IllegalArgumentException invalid(final Key key, final String value, final String allowed)
        {
            return new IllegalArgumentException(key.key() + "=" + value + " is not allowed; allowed: " + allowed);
        }
    }
}
