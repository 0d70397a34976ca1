/**
 * Backend selection: the only package that names backends, and the API's one way in
 * ({@code Proactor.open} and {@code ProactorGroup.open} call {@code Backends}). {@code Backends}
 * picks io_uring or the portable backend for {@code AUTO}, {@code IO_URING} or {@code PORTABLE}, with the reason (for
 * example why io_uring is unavailable), and build the capability report. The core logs the choice and
 * its reason at DEBUG when a proactor opens; {@code Proactor.capabilities()} and {@code proactor
 * probe} show it without logging.
 */
package dev.proactor.internal.select;
