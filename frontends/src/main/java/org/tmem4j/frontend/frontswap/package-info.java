/**
 * frontswap: {@link org.tmem4j.frontend.frontswap.SwapArea}s, real backing files of page slots with a compressed RAM
 * tier in front, where persistent data is never lost: every stored page is in the backend or in the file.
 */
package org.tmem4j.frontend.frontswap;
