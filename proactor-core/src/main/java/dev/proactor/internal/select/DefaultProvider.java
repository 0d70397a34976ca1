package dev.proactor.internal.core;

import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.spi.ProactorProvider;

/** The library's own provider, found by {@link java.util.ServiceLoader}. */
public final class CoreProvider extends ProactorProvider {

    /** Called by the service loader. */
    public CoreProvider() {}

    @Override
    public Proactor open(ProactorConfig config) {
        return CoreProactor.open(config);
    }
}
