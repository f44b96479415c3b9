package org.tmem4j.stats;

import java.lang.management.ManagementFactory;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Shows the sources of a {@link CounterRegistry} as JMX MBeans (JConsole, VisualVM, any JMX client), one per source,
 * named {@code org.tmem4j:type=<kind>,name=<name>} (plus {@code ,engine=<engine>} when several engines share a JVM).
 * MBeans come and go with their sources; {@link #close()} removes them all.
 */
public final class JmxCounterPublisher implements CounterRegistry.Listener, AutoCloseable
{
    /** JMX domain of tmem4j's MBeans. */
    public static final String DOMAIN = "org.tmem4j";

    private static final System.Logger LOGGER = System.getLogger(JmxCounterPublisher.class.getName());

    private final CounterRegistry registry;
    private final MBeanServer server;
    private final String engine;
    private final Map<CounterSource, ObjectName> registered = new IdentityHashMap<>();
    private boolean closed;

    private JmxCounterPublisher(final CounterRegistry registry, final MBeanServer server, final String engine)
    {
        this.registry = registry;
        this.server = server;
        this.engine = engine;
    }

    /**
     * Publishes the registry's sources, now and as they come, in the platform MBean server.
     *
     * @param registry the sources.
     * @return the publisher.
     */
    public static JmxCounterPublisher start(final CounterRegistry registry)
    {
        return start(registry, ManagementFactory.getPlatformMBeanServer(), null);
    }

    /**
     * Publishes the registry's sources, now and as they come.
     *
     * @param registry the sources.
     * @param server   where.
     * @param engine   a name telling this engine's MBeans from another's in the same JVM, or null for none.
     * @return the publisher.
     * @throws IllegalArgumentException if an argument is null or the engine name is invalid.
     */
    public static JmxCounterPublisher start(final CounterRegistry registry, final MBeanServer server,
        final String engine)
    {
        if (registry == null || server == null)
        {
            throw new IllegalArgumentException("registry and server are required, got " + registry + ", " + server);
        }
        if (engine != null)
        {
            CounterNames.requireValid("engine name", engine);
        }
        final JmxCounterPublisher publisher = new JmxCounterPublisher(registry, server, engine);
        registry.addListener(publisher);
        return publisher;
    }

    /**
     * {@return the name of the source's MBean}
     *
     * @param kind   a source's kind.
     * @param name   its name.
     * @param engine the engine's name, or null.
     */
    public static ObjectName objectName(final String kind, final String name, final String engine)
    {
        try
        {
            return new ObjectName(
                DOMAIN + ":type=" + kind + ",name=" + name + (engine == null ? "" : ",engine=" + engine));
        }
        catch (final MalformedObjectNameException ex)
        {
            throw new IllegalArgumentException("cannot make a JMX name of " + kind + "/" + name, ex);
        }
    }

    @Override
    public synchronized void registered(final CounterSource source)
    {
        if (closed)
        {
            return;
        }
        final ObjectName name = objectName(source.kind(), source.name(), engine);
        try
        {
            server.registerMBean(new CounterMBean(source, List.copyOf(source.descriptions())), name);
            registered.put(source, name);
        }
        catch (final InstanceAlreadyExistsException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "MBean " + name + " already exists (another engine in this JVM?"
                + " give each engine its own name); counters of " + source.kind() + "/" + source.name()
                + " are not in JMX");
        }
        catch (final JMException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "cannot register MBean " + name, ex);
        }
    }

    @Override
    public synchronized void unregistered(final CounterSource source)
    {
        final ObjectName name = registered.remove(source);
        if (name != null)
        {
            unregister(name);
        }
    }

    /**
     * Stops following the registry and removes every MBean this publisher registered.
     */
    @Override
    public void close()
    {
        registry.removeListener(this);
        synchronized (this)
        {
            closed = true;
            for (final ObjectName name : registered.values())
            {
                unregister(name);
            }
            registered.clear();
        }
    }

    private void unregister(final ObjectName name)
    {
        try
        {
            server.unregisterMBean(name);
        }
        catch (final InstanceNotFoundException ex)
        {
            // someone removed it already: the goal is reached
        }
        catch (final JMException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "cannot unregister MBean " + name, ex);
        }
    }
}
