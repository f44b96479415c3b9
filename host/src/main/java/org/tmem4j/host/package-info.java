/**
 * The host tier: one tmem store shared by the JVMs of a host, the Xen tmem shim's role. {@link
 * org.tmem4j.host.HostDaemon} serves one zcache over a Unix domain socket, with page bytes in a shared region per
 * client; {@link org.tmem4j.host.HostBackend} is a JVM's backend at the daemon ({@code backend=host}), and {@link
 * org.tmem4j.host.HostAttachment} keeps a JVM's frontends attached across daemon restarts.
 */
package org.tmem4j.host;
