package org.tmem4j.stats;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.ImmutableDescriptor;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;
import javax.management.ReflectionException;

/**
 * One {@link CounterSource} as a JMX MBean: each counter a read-only {@code long} attribute, sampled when read,
 * whose description is the counter's meaning and whose descriptor carries the standard fields {@code metricType}
 * ({@code counter} or {@code gauge}) and {@code units} (e.g. {@code pages}), so that a JMX console or exporter
 * tells rates from levels without knowing tmem4j.
 * Reading several attributes at once ({@link #getAttributes(String[])}, as JConsole does) takes one sample, so their
 * values are as consistent as the source makes one sample.
 */
final class CounterMBean implements DynamicMBean
{
    private final CounterSource source;
    private final List<String> names;
    private final Map<String, Integer> indexes = new HashMap<>();
    private final MBeanInfo info;

    /**
     * @param source       the source.
     * @param descriptions its counters, as registered.
     */
    CounterMBean(final CounterSource source, final List<CounterDescription> descriptions)
    {
        this.source = source;
        this.names = descriptions.stream().map(CounterDescription::name).toList();
        final MBeanAttributeInfo[] attributes = new MBeanAttributeInfo[descriptions.size()];
        for (int i = 0; i < attributes.length; i++)
        {
            final CounterDescription counter = descriptions.get(i);
            indexes.put(counter.name(), i);
            attributes[i] = new MBeanAttributeInfo(counter.name(), "long", counter.description(), true, false, false,
                new ImmutableDescriptor("metricType=" + counter.kind().label(), "units=" + counter.unit().symbol()));
        }
        this.info = new MBeanInfo(CounterMBean.class.getName(),
            "tmem4j counters of " + source.kind() + "/" + source.name(),
            attributes, null, new MBeanOperationInfo[0], new MBeanNotificationInfo[0]);
    }

    @Override
    public Object getAttribute(final String attribute) throws AttributeNotFoundException
    {
        final int index = index(attribute);
        return sample()[index];
    }

    @Override
    public AttributeList getAttributes(final String[] attributes)
    {
        final long[] values = sample();
        final AttributeList list = new AttributeList(attributes.length);
        for (final String attribute : attributes)
        {
            final Integer index = indexes.get(attribute);
            if (index != null)
            {
                list.add(new Attribute(attribute, values[index]));
            }
        }
        return list;
    }

    @Override
    public void setAttribute(final Attribute attribute) throws AttributeNotFoundException
    {
        index(attribute.getName());
        throw new AttributeNotFoundException("counter " + attribute.getName() + " of " + source.kind() + "/"
            + source.name() + " is read-only");
    }

    @Override
    public AttributeList setAttributes(final AttributeList attributes)
    {
        return new AttributeList();
    }

    @Override
    public Object invoke(final String actionName, final Object[] params, final String[] signature)
        throws ReflectionException
    {
        throw new ReflectionException(new NoSuchMethodException(actionName),
            "counters of " + source.kind() + "/" + source.name() + " have no operations");
    }

    @Override
    public MBeanInfo getMBeanInfo()
    {
        return info;
    }

    private long[] sample()
    {
        final long[] values = new long[names.size()];
        source.sample(values);
        return values;
    }

    private int index(final String attribute) throws AttributeNotFoundException
    {
        final Integer index = indexes.get(attribute);
        if (index == null)
        {
            throw new AttributeNotFoundException("no counter '" + attribute + "' in " + source.kind() + "/"
                + source.name() + "; its counters are " + names);
        }
        return index;
    }
}
