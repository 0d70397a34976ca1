/**
 * The native interface of io_uring and the bits of libc it needs, described and nothing more:
 * constants copied from the kernel's UAPI headers (version cited per group), struct layouts
 * with a named offset per field, and downcall handles. The only package that touches
 * {@link java.lang.foreign.Linker} and raw addresses; it holds no logic.
 */
package dev.proactor.internal.uring.ffi;
