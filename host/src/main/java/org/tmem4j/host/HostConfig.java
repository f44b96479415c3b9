package org.tmem4j.host;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The host daemon's own settings: who may reach it and what each client may hold. The store itself (budget,
 * allocator, codec, socket path) is configured like any backend, by {@link org.tmem4j.frontend.FrontendsConfig}.
 * <p>
 * Keys, under {@value #PREFIX}:
 * <ul>
 *   <li>{@code group} — a group granted the daemon's directory and socket (mode 0750/0660 instead of
 *       0700/0600), so that its members' JVMs may connect; default none.</li>
 *   <li>{@code shared.users}, {@code shared.groups} — comma-separated users and groups whose clients may join a
 *       shared pool that another user created; a client may always join its own user's shared pools.</li>
 *   <li>{@code persistentCap} — persistent pages a client may hold, at least 0; default unlimited.
 *       {@code persistentCap.USER} sets it for one user's clients, {@code persistentCap.USER/NAME} for that user's
 *       clients named {@code NAME} ({@code tmem4j.frontends.host.client}).</li>
 *   <li>{@code weight} — a client's weight, 1 to 1,000,000, default 1: its ephemeral pages are evicted by age
 *       divided by its weight, so under a full budget the clients' ephemeral shares follow their weights.
 *       {@code weight.USER} sets it for one user's clients, {@code weight.USER/NAME} for that user's clients named
 *       {@code NAME}.</li>
 *   <li>{@code spinMicros} — how long, 0 to 10,000 µs, default {@value #DEFAULT_SPIN_MICROS}, each side of a
 *       request slot spins on the shared region for the other's next move before it sleeps on the slot's socket
 *       (a request then costs two socket wake-ups); 0 always sleeps: for hosts with more busy clients than cores.
 *       </li>
 * </ul>
 * <b>Client names are scoped under their user</b>: a client says its name, but its user is its socket's peer
 * credentials, so a client only ever selects among the settings given to its own user — alice's {@code orders} is
 * not bob's, and no client can claim another user's weight or cap. Several clients of a user may share a name (the
 * replicas of one service): each gets the name's settings.
 *
 * @param group              the group granted access, or {@code null}.
 * @param sharedUsers        users who may join any shared pool.
 * @param sharedGroups       groups whose members may join any shared pool.
 * @param persistentCap      persistent pages per client unless the user has its own cap.
 * @param persistentCapUsers persistent caps per {@code USER} or {@code USER/NAME}.
 * @param weight             a client's weight unless the user has its own.
 * @param weightUsers        weights per {@code USER} or {@code USER/NAME}.
 * @param spinMicros         how long a slot's side spins before it sleeps on the socket.
 */
public record HostConfig(String group, Set<String> sharedUsers, Set<String> sharedGroups, long persistentCap,
    Map<String, Long> persistentCapUsers, int weight, Map<String, Integer> weightUsers, int spinMicros)
{
    /** Default of {@code spinMicros}: longer than most requests take, short against a request's wake-ups. */
    public static final int DEFAULT_SPIN_MICROS = 50;

    /** Prefix of every key. */
    public static final String PREFIX = "tmem4j.host.";
    /** A cap that never refuses. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private static final String CAP = "persistentCap";
    private static final String WEIGHT = "weight";
    private static final int MAX_WEIGHT = 1_000_000;
    private static final String SPIN = "spinMicros";
    private static final int MAX_SPIN_MICROS = 10_000;
    private static final String SPIN_ALLOWED = "microseconds from 0 to " + MAX_SPIN_MICROS;
    private static final String CAP_ALLOWED = "a page count >= 0";
    private static final String WEIGHT_ALLOWED = "a whole number from 1 to " + MAX_WEIGHT;

    /**
     * Checks and copies the settings.
     */
    public HostConfig
    {
        if (group != null && group.isBlank())
        {
            throw new IllegalArgumentException(PREFIX + "group is blank; give a group name or leave it unset");
        }
        sharedUsers = Set.copyOf(sharedUsers);
        sharedGroups = Set.copyOf(sharedGroups);
        requireCap(PREFIX + CAP, persistentCap);
        persistentCapUsers.forEach((user, cap) -> requireCap(PREFIX + CAP + "." + user, cap));
        persistentCapUsers = Map.copyOf(persistentCapUsers);
        requireWeight(PREFIX + WEIGHT, weight);
        weightUsers.forEach((user, w) -> requireWeight(PREFIX + WEIGHT + "." + user, w));
        weightUsers = Map.copyOf(weightUsers);
        require(PREFIX + SPIN, spinMicros, 0, MAX_SPIN_MICROS, SPIN_ALLOWED);
    }

    /**
     * {@return the defaults: no group, no cross-user sharing, no caps}
     */
    public static HostConfig defaults()
    {
        return new HostConfig(null, Set.of(), Set.of(), UNLIMITED, Map.of(), 1, Map.of(), DEFAULT_SPIN_MICROS);
    }

    /**
     * Reads the host settings from properties.
     *
     * @param properties properties; keys without the prefix are ignored.
     * @return the settings under {@value #PREFIX}.
     * @throws IllegalArgumentException naming the key for an unknown key or a value that is not allowed.
     */
    public static HostConfig from(final Properties properties)
    {
        String group = null;
        final Set<String> users = new TreeSet<>();
        final Set<String> groups = new TreeSet<>();
        long cap = UNLIMITED;
        final Map<String, Long> caps = new HashMap<>();
        int weight = 1;
        final Map<String, Integer> weights = new HashMap<>();
        int spin = DEFAULT_SPIN_MICROS;
        for (final String name : new TreeSet<>(properties.stringPropertyNames()))
        {
            if (!name.startsWith(PREFIX))
            {
                continue;
            }
            final String key = name.substring(PREFIX.length());
            final String value = properties.getProperty(name).trim();
            switch (key)
            {
                case "group" -> group = value;
                case "shared.users" -> users.addAll(list(value));
                case "shared.groups" -> groups.addAll(list(value));
                case CAP -> cap = parseCap(name, value);
                case WEIGHT -> weight = parseWeight(name, value);
                case SPIN -> spin = (int)parse(name, value, 0, MAX_SPIN_MICROS, SPIN_ALLOWED);
                default ->
                {
                    if (key.startsWith(CAP + ".") && key.length() > CAP.length() + 1)
                    {
                        caps.put(key.substring(CAP.length() + 1), parseCap(name, value));
                    }
                    else if (key.startsWith(WEIGHT + ".") && key.length() > WEIGHT.length() + 1)
                    {
                        weights.put(key.substring(WEIGHT.length() + 1), parseWeight(name, value));
                    }
                    else
                    {
                        throw new IllegalArgumentException("unknown key " + name + "; the keys are " + PREFIX
                            + "group, " + PREFIX + "shared.users, " + PREFIX + "shared.groups, " + PREFIX + CAP
                            + ", " + PREFIX + CAP + ".USER[/NAME], " + PREFIX + WEIGHT + ", " + PREFIX + WEIGHT
                            + ".USER[/NAME] and " + PREFIX + SPIN);
                    }
                }
            }
        }
        return new HostConfig(group, users, groups, cap, caps, weight, weights, spin);
    }

    /**
     * Looks up a client's persistent cap: its name's setting under its user, else its user's, else the default.
     *
     * @param user a client's user name (its peer credentials).
     * @param name the name it gave itself, or empty.
     * @return the persistent pages that client may hold.
     */
    public long persistentCapOf(final String user, final String name)
    {
        return lookup(persistentCapUsers, user, name, persistentCap);
    }

    /**
     * Looks up a client's weight: its name's setting under its user, else its user's, else the default.
     *
     * @param user a client's user name (its peer credentials).
     * @param name the name it gave itself, or empty.
     * @return that client's weight.
     */
    public int weightOf(final String user, final String name)
    {
        return lookup(weightUsers, user, name, weight);
    }

    private static <T> T lookup(final Map<String, T> settings, final String user, final String name,
        final T otherwise)
    {
        final T named = name.isEmpty() ? null : settings.get(user + "/" + name);
        return named != null ? named : settings.getOrDefault(user, otherwise);
    }

    private static List<String> list(final String value)
    {
        final List<String> names = new ArrayList<>();
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
        return names;
    }

    private static long parseCap(final String key, final String value)
    {
        return parse(key, value, 0, Long.MAX_VALUE, CAP_ALLOWED);
    }

    private static int parseWeight(final String key, final String value)
    {
        return (int)parse(key, value, 1, MAX_WEIGHT, WEIGHT_ALLOWED);
    }

    private static void requireCap(final String key, final long cap)
    {
        require(key, cap, 0, Long.MAX_VALUE, CAP_ALLOWED);
    }

    private static void requireWeight(final String key, final int weight)
    {
        require(key, weight, 1, MAX_WEIGHT, WEIGHT_ALLOWED);
    }

    private static long parse(final String key, final String value, final long min, final long max,
        final String allowed)
    {
        final long number;
        try
        {
            number = Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + "=" + value + " is not allowed; allowed: " + allowed);
        }
        require(key, number, min, max, allowed);
        return number;
    }

    private static void require(final String key, final long number, final long min, final long max,
        final String allowed)
    {
        if (number < min || number > max)
        {
            throw new IllegalArgumentException(key + "=" + number + " is not allowed; allowed: " + allowed);
        }
    }
}
