/**
 * The frontends' side of the tmem bus: the {@link org.tmem4j.frontend.Backend} interface (what
 * {@code cleancache_ops} and {@code frontswap_ops} were), the {@link org.tmem4j.frontend.BackendRegistry} where
 * backends come and go at run time, and the typed {@link org.tmem4j.frontend.FrontendsConfig}.
 * <pre>
 *   application                 Cleancache (CleancacheFs, PagedFile)        Frontswap (SwapArea + swap file)
 *        |                               |  ephemeral pools                       |  persistent pools
 *        |                               v                                        v
 *        |                    +------------------- BackendRegistry -------------------+
 *        |   init (mount,     |  records every init; register() replays them all into  |
 *        |   swapon) ------>  |  the backend, then publishes it; unregister() drops the |
 *        |                    |  ephemeral pages, writes persistent ones back to files  |
 *        |                    +-------------------------+-------------------------------+
 *        |                                              v
 *        |                                   Backend (ZcacheBackend -> engine Zcache, or any other)
 * </pre>
 * <b>Why a registry at all.</b> The seeds of this project are the Linux patches that let a tmem backend load as a
 * module after filesystems were mounted and swap enabled. Their answer, recording inits and replaying them, had
 * limits (32 filesystems, fake pool ids, no unload) and ordering bugs. Here one lock orders inits, registration
 * and unregistration, and the hot paths take none of it: cleancache operations pass a per-pool
 * {@link org.tmem4j.concurrent.DrainGate} that unregistration closes and drains before destroying the pool, and frontswap
 * operations read their binding under the slot's stripe lock that unregistration's write-back passes through.
 */
package org.tmem4j.frontend;
