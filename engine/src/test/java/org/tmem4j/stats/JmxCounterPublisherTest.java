package org.tmem4j.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tmem4j.stats.CounterRegistryTest.source;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.ReflectionException;

import org.junit.jupiter.api.Test;

class JmxCounterPublisherTest
{
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @Test
    void exposesEachSourceAsAnMBeanOfReadOnlyLongAttributes() throws Exception
    {
        final CounterRegistry registry = new CounterRegistry();
        final AtomicLong pages = new AtomicLong(3);
        final CounterSource zsmalloc = CounterSource.builder("allocator", "zsmalloc-jmx")
            .gauge("pages_used", CounterUnit.PAGES, "pages the allocator holds", pages::get)
            .counter("objects", CounterUnit.OBJECTS, "objects allocated", () -> 11).build();
        registry.register(zsmalloc);
        final ObjectName name = new ObjectName("org.tmem4j:type=allocator,name=zsmalloc-jmx");
        try (JmxCounterPublisher _ = JmxCounterPublisher.start(registry))
        {
            assertTrue(server.isRegistered(name), "a source registered before start is published");
            assertEquals(3L, server.getAttribute(name, "pages_used"));
            pages.set(1L << 40);
            assertEquals(1L << 40, server.getAttribute(name, "pages_used"), "attributes are read live");
            final AttributeList both = server.getAttributes(name, new String[] {"pages_used", "objects", "nope"});
            assertEquals(List.of(new Attribute("pages_used", 1L << 40), new Attribute("objects", 11L)),
                both.asList());

            final MBeanAttributeInfo[] attributes = server.getMBeanInfo(name).getAttributes();
            assertArrayEquals(new String[] {"pages_used", "objects"},
                Arrays.stream(attributes).map(MBeanAttributeInfo::getName).toArray());
            for (final MBeanAttributeInfo attribute : attributes)
            {
                assertEquals("long", attribute.getType());
                assertTrue(attribute.isReadable());
                assertFalse(attribute.isWritable());
            }
            assertEquals("pages the allocator holds", attributes[0].getDescription());
            assertEquals("gauge", attributes[0].getDescriptor().getFieldValue("metricType"));
            assertEquals("pages", attributes[0].getDescriptor().getFieldValue("units"));
            assertEquals("objects allocated", attributes[1].getDescription());
            assertEquals("counter", attributes[1].getDescriptor().getFieldValue("metricType"));
            assertEquals("objects", attributes[1].getDescriptor().getFieldValue("units"));
            final AttributeNotFoundException missing = assertThrows(AttributeNotFoundException.class,
                () -> server.getAttribute(name, "nope"));
            assertTrue(missing.getMessage().contains("no counter 'nope' in allocator/zsmalloc-jmx"),
                missing.getMessage());
            assertThrows(AttributeNotFoundException.class,
                () -> server.setAttribute(name, new Attribute("pages_used", 1L)));
            assertThrows(ReflectionException.class, () -> server.invoke(name, "reset", null, null));

            final CounterSource late = source("frontend", "cleancache-jmx", "gets");
            registry.register(late);
            final ObjectName lateName = new ObjectName("org.tmem4j:type=frontend,name=cleancache-jmx");
            assertEquals(0L, server.getAttribute(lateName, "gets"), "a source registered later is published");
            registry.unregister(late);
            assertFalse(server.isRegistered(lateName), "an unregistered source's MBean goes away");
        }
        assertFalse(server.isRegistered(name), "closing the publisher removes its MBeans");
        registry.register(source("engine", "after-close-jmx", "x"));
        assertFalse(server.isRegistered(new ObjectName("org.tmem4j:type=engine,name=after-close-jmx")));
    }

    @Test
    void enginesSharingAJvmAreToldApartByName() throws Exception
    {
        final CounterRegistry one = new CounterRegistry();
        final CounterRegistry two = new CounterRegistry();
        one.register(source("engine", "tmem-shared", "x"));
        two.register(source("engine", "tmem-shared", "x", "y"));
        try (JmxCounterPublisher _ = JmxCounterPublisher.start(one, server, "one");
            JmxCounterPublisher _ = JmxCounterPublisher.start(two, server, "two"))
        {
            assertEquals(1, server.getMBeanInfo(JmxCounterPublisher.objectName("engine", "tmem-shared", "one"))
                .getAttributes().length);
            assertEquals(2, server.getMBeanInfo(new ObjectName("org.tmem4j:type=engine,name=tmem-shared,engine=two"))
                .getAttributes().length);
        }
        assertThrows(IllegalArgumentException.class, () -> JmxCounterPublisher.start(one, server, "bad name"));
        assertThrows(IllegalArgumentException.class, () -> JmxCounterPublisher.start(null, server, null));
    }

    @Test
    void aNameClashLeavesTheFirstMBeanAndDoesNotFailRegistration() throws Exception
    {
        final CounterRegistry one = new CounterRegistry();
        final CounterRegistry two = new CounterRegistry();
        one.register(source("engine", "clash-jmx", "x"));
        try (JmxCounterPublisher _ = JmxCounterPublisher.start(one))
        {
            final JmxCounterPublisher second = JmxCounterPublisher.start(two);
            two.register(source("engine", "clash-jmx", "x", "y"));
            assertEquals(1, server.getMBeanInfo(JmxCounterPublisher.objectName("engine", "clash-jmx", null))
                .getAttributes().length);
            assertEquals(1, two.sources().size());
            second.close();
            assertTrue(server.isRegistered(JmxCounterPublisher.objectName("engine", "clash-jmx", null)),
                "closing the second publisher must not remove the first's MBean");
        }
    }
}
