/**
 * Transcendent memory's core: pools of pages keyed by a 192-bit object id and a 32-bit index, each pool a set of
 * lock-striped hash buckets of objects, each object a 64-way radix index of opaque values. The core never compresses
 * or allocates page memory; a backend ({@link org.tmem4j.zcache.Zcache}) does that outside the bucket locks and
 * hands the core a {@code long} per page.
 * <pre>
 *   Tmem (pools by id, shared pools by uuid, eviction across ephemeral pools)
 *     TmemPool  --hash(oid)--&gt;  HashBucket[256] (one monitor each)
 *                                  TmemObject (inline single page, or PageIndex: 64-way radix tree)
 *                                    index -&gt; value (persistent) | LruNode (ephemeral: value + LRU links)
 * </pre>
 * Index metadata, measured by {@code TmemMetadataTest}: 8.3 bytes a page for one object of 10^6 consecutive
 * persistent pages, about 73 bytes a page for one page per object, about 52 bytes a page for dense ephemeral pages
 * (the LRU node).
 */
package org.tmem4j.tmem;
