/**
 * The engine's {@link org.tmem4j.zcache.Zcache} as a frontends backend, found by the name {@code zcache}.
 */
package org.tmem4j.frontend.zcache;
