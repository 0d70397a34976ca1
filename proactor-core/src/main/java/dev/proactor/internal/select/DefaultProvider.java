package dev.proactor.internal.select;

import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.spi.ProactorProvider;

/** The library's own provider, found by {@link java.util.ServiceLoader}. */
public final class DefaultProvider extends ProactorProvider {

    /** Called by the service loader. */
    public DefaultProvider() {}

    @Override
    public Proactor open(ProactorConfig config) {
        return Backends.open(config);
    }

    @Override
    public dev.proactor.ProactorGroup openGroup(int members, ProactorConfig config) {
        return dev.proactor.internal.core.Group.open(members, config, Backends::open);
    }
}
