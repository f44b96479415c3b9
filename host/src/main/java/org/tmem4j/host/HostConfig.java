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
 *       {@code persistentCap.USER} sets it for one user.</li>
 * </ul>
 *
 * @param group              the group granted access, or {@code null}.
 * @param sharedUsers        users who may join any shared pool.
 * @param sharedGroups       groups whose members may join any shared pool.
 * @param persistentCap      persistent pages per client unless the user has its own cap.
 * @param persistentCapUsers per-user persistent caps.
 */
public record HostConfig(String group, Set<String> sharedUsers, Set<String> sharedGroups, long persistentCap,
    Map<String, Long> persistentCapUsers)
{
    /** Prefix of every key. */
    public static final String PREFIX = "tmem4j.host.";
    /** A cap that never refuses. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private static final String CAP = "persistentCap";

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
    }

    /**
     * @return no group, no cross-user sharing, no caps.
     */
    public static HostConfig defaults()
    {
        return new HostConfig(null, Set.of(), Set.of(), UNLIMITED, Map.of());
    }

    /**
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
                default ->
                {
                    if (key.startsWith(CAP + ".") && key.length() > CAP.length() + 1)
                    {
                        caps.put(key.substring(CAP.length() + 1), parseCap(name, value));
                    }
                    else
                    {
                        throw new IllegalArgumentException("unknown key " + name + "; the keys are " + PREFIX
                            + "group, " + PREFIX + "shared.users, " + PREFIX + "shared.groups, " + PREFIX + CAP
                            + " and " + PREFIX + CAP + ".USER");
                    }
                }
            }
        }
        return new HostConfig(group, users, groups, cap, caps);
    }

    /**
     * @param user a client's user name.
     * @return the persistent pages that user's clients may each hold.
     */
    public long persistentCapOf(final String user)
    {
        return persistentCapUsers.getOrDefault(user, persistentCap);
    }

    private static List<String> list(final String value)
    {
        final List<String> names = new ArrayList<>();
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
        return names;
    }

    private static long parseCap(final String key, final String value)
    {
        try
        {
            final long cap = Long.parseLong(value);
            requireCap(key, cap);
            return cap;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + "=" + value + " is not allowed; allowed: a page count >= 0");
        }
    }

    private static void requireCap(final String key, final long cap)
    {
        if (cap < 0)
        {
            throw new IllegalArgumentException(key + "=" + cap + " is not allowed; allowed: a page count >= 0");
        }
    }
}
