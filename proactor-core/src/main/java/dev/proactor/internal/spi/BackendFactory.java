package dev.proactor.internal.spi;

import dev.proactor.ProactorConfig;

/**
 * Makes the backend of one proactor. The core calls it once, on that proactor's dispatcher thread
 * (a ring's single issuer must be the thread that created it), with the proactor's configuration:
 * ring sizes, thread names and queue lengths come from the argument, never from the calling thread.
 */
@FunctionalInterface
public interface BackendFactory {

    /** A new backend for the proactor configured by {@code config}. */
    Backend create(ProactorConfig config);
}
