/**
 * Backend selection: the only package that names backends, and the API's one way in
 * ({@code Proactor.open} and {@code ProactorGroup.open} call {@code Backends}). {@code Backends}
 * picks io_uring or the portable backend for {@code AUTO}, {@code IO_URING} or {@code PORTABLE}, with the reason (for
 * example why io_uring is unavailable), and builds the capability report. When native access is
 * denied ({@code --illegal-native-access=deny}, or a module not enabled), the reason names the
 * {@code --enable-native-access} flag to add ({@code UringSupport.nativeAccessDenied}) and
 * {@code AUTO} falls back to the portable backend. The core logs the choice and its reason at DEBUG
 * (logger {@code dev.proactor}) when a proactor opens; {@code Proactor.capabilities()} and
 * {@code proactor probe} show it without logging.
 */
package dev.proactor.internal.select;
