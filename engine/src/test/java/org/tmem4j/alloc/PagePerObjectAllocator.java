package org.tmem4j.alloc;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.tmem4j.memory.PageMemory;

/**
 * The simplest honest allocator: every object gets a whole page of its own. It lets the engine's tests run the
 * zcache backend without zbud or zsmalloc (which depend on the engine), with real page memory, a real budget and
 * real handle validation. Found by the name {@value #NAME}.
 * <p>
 * Handles carry an instance tag in bits 40 to 59 and a serial number below, so handles of another instance and
 * freed handles (serials are never reused) are rejected. Objects never move. Under the name
 * {@value #POISONING_NAME} a freed object's bytes are overwritten before its page goes back, so a read after free
 * (the engine reading memory it no longer holds) sees garbage, never the page it had.
 * <p>
 * For corruption tests it also exposes the object written last, so a test can damage the bytes behind a page it
 * has just stored.
 */
public final class PagePerObjectAllocator implements ObjectAllocator
{
    /** The name the provider registers. */
    public static final String NAME = "page-per-object";
    /** The name of the variant that overwrites freed objects. */
    public static final String POISONING_NAME = "page-per-object-poisoning";

    private static final AtomicLong INSTANCES = new AtomicLong();
    private static final long SERIAL_MASK = (1L << 40) - 1;
    /** What a freed object's bytes become. */
    private static final byte POISON = (byte)0xA5;

    private final PageMemory memory;
    private final boolean poison;
    private final long tag = ((INSTANCES.incrementAndGet() & 0xF_FFFFL) + 1) << 40;
    private final Map<Long, Entry> live = new HashMap<>();
    private long serial;
    private long lastWritten;
    private long storedBytes;
    private boolean closed;

    private record Entry(int page, int size)
    {
    }

    PagePerObjectAllocator(final PageMemory memory, final boolean poison)
    {
        this.memory = memory;
        this.poison = poison;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public int maxStoredSize()
    {
        return MAX_OBJECT_SIZE;
    }

    @Override
    public long allocate(final int size)
    {
        ObjectSizes.checkObjectSize(size);
        synchronized (live)
        {
            checkOpen();
            final int page = memory.allocate();
            if (page == PageMemory.NO_PAGE)
            {
                return NO_MEMORY;
            }
            final long handle = tag | (++serial & SERIAL_MASK);
            live.put(handle, new Entry(page, size));
            storedBytes += size;
            return handle;
        }
    }

    @Override
    public void write(final long handle, final MemorySegment src, final long srcOffset)
    {
        final Entry entry = entry(handle);
        MemorySegment.copy(src, srcOffset, memory.segment(entry.page), memory.offset(entry.page), entry.size);
        synchronized (live)
        {
            lastWritten = handle;
        }
    }

    /**
     * @return the bytes of the object written last, writable, or {@code null} if that object was freed since.
     */
    public MemorySegment lastWritten()
    {
        synchronized (live)
        {
            final Entry entry = live.get(lastWritten);
            return entry == null ? null : memory.segment(entry.page).asSlice(memory.offset(entry.page), entry.size);
        }
    }

    @Override
    public void read(final long handle, final MemorySegment dst, final long dstOffset)
    {
        final Entry entry = entry(handle);
        MemorySegment.copy(memory.segment(entry.page), memory.offset(entry.page), dst, dstOffset, entry.size);
    }

    @Override
    public MemorySegment view(final long handle, final MemorySegment scratch)
    {
        final Entry entry = entry(handle);
        return memory.segment(entry.page).asSlice(memory.offset(entry.page), entry.size).asReadOnly();
    }

    @Override
    public int size(final long handle)
    {
        return entry(handle).size;
    }

    @Override
    public void free(final long handle)
    {
        final Entry entry;
        synchronized (live)
        {
            checkOpen();
            entry = live.remove(handle);
            if (entry == null)
            {
                throw unknown(handle);
            }
            storedBytes -= entry.size;
            if (poison)
            {
                memory.segment(entry.page).asSlice(memory.offset(entry.page), entry.size).fill(POISON);
            }
            memory.free(entry.page);
        }
    }

    @Override
    public long compact()
    {
        synchronized (live)
        {
            checkOpen();
            return 0;
        }
    }

    @Override
    public AllocatorStats stats()
    {
        synchronized (live)
        {
            checkOpen();
            return new AllocatorStats(NAME, live.size(), storedBytes, live.size(), Map.of());
        }
    }

    @Override
    public void close()
    {
        synchronized (live)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            if (!memory.isClosed())
            {
                for (final Entry entry : List.copyOf(live.values()))
                {
                    memory.free(entry.page);
                }
            }
            live.clear();
            storedBytes = 0;
        }
    }

    private Entry entry(final long handle)
    {
        synchronized (live)
        {
            checkOpen();
            final Entry entry = live.get(handle);
            if (entry == null)
            {
                throw unknown(handle);
            }
            return entry;
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(NAME + " allocator is closed");
        }
    }

    private static IllegalArgumentException unknown(final long handle)
    {
        return new IllegalArgumentException("handle " + handle + " is not a live object of this " + NAME +
            " allocator (freed, forged or foreign)");
    }

    /**
     * Registers the allocator under {@value #NAME}.
     */
    public static final class Provider implements AllocatorProvider
    {
        @Override
        public String name()
        {
            return NAME;
        }

        @Override
        public ObjectAllocator create(final PageMemory memory)
        {
            return new PagePerObjectAllocator(memory, false);
        }
    }

    /**
     * Registers the variant that overwrites freed objects under {@value #POISONING_NAME}.
     */
    public static final class PoisoningProvider implements AllocatorProvider
    {
        @Override
        public String name()
        {
            return POISONING_NAME;
        }

        @Override
        public ObjectAllocator create(final PageMemory memory)
        {
            return new PagePerObjectAllocator(memory, true);
        }
    }
}
