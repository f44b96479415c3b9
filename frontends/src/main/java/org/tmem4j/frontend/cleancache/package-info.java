/**
 * cleancache: a victim cache for clean file pages, pools per filesystem (shared by uuid across mounts), pages keyed
 * by a 192-bit {@link org.tmem4j.frontend.cleancache.FileKey} and a page index, and
 * {@link org.tmem4j.frontend.cleancache.PagedFile}, a ready adapter that puts it in front of a file.
 */
package org.tmem4j.frontend.cleancache;
