/**
 * The zcache backend: tmem pools whose pages are compressed by a per-CPU compressor pool and packed by an allocator
 * chosen by name, under one memory budget; see {@link org.tmem4j.zcache.Zcache}.
 * <pre>{@code
 *   try (Zcache zcache = Zcache.builder().allocator("zsmalloc").codec("lz4").budgetBytes(512L << 20).build())
 *   {
 *       int pool = zcache.createPool(PoolKind.PERSISTENT, 4096);
 *       if (zcache.put(pool, oidA, oidB, oidC, index, page) == Zcache.STORED) { ... }
 *       boolean hit = zcache.get(pool, oidA, oidB, oidC, index, buffer);
 *   }
 * }</pre>
 */
package org.tmem4j.zcache;
