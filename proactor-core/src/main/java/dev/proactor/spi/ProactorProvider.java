package dev.proactor.spi;

import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.util.ServiceLoader;

/**
 * Creates proactors. The API finds its implementation through {@link ServiceLoader}, the way
 * {@code java.nio.channels.spi} does, so the API package never names the implementation. The
 * library ships one provider; another on the class or module path takes precedence only when named
 * by the system property {@code dev.proactor.provider}.
 */
public abstract class ProactorProvider {

    /** For subclasses. */
    protected ProactorProvider() {}

    /** Opens a proactor; see {@link Proactor#open(ProactorConfig)}. */
    public abstract Proactor open(ProactorConfig config);

    /** Opens a group of proactors; see {@link dev.proactor.ProactorGroup#open(int, ProactorConfig)}. */
    public abstract dev.proactor.ProactorGroup openGroup(int members, ProactorConfig config);

    /** The provider in effect. */
    public static ProactorProvider provider() {
        return Holder.PROVIDER;
    }

    private static final class Holder {
        static final ProactorProvider PROVIDER = load();

        private static ProactorProvider load() {
            String wanted = System.getProperty("dev.proactor.provider");
            ProactorProvider fallback = null;
            for (ProactorProvider p : ServiceLoader.load(ProactorProvider.class, ProactorProvider.class.getClassLoader())) {
                if (wanted != null && p.getClass().getName().equals(wanted)) {
                    return p;
                }
                if (fallback == null) {
                    fallback = p;
                }
            }
            if (fallback == null) {
                throw new java.util.ServiceConfigurationError("no dev.proactor.spi.ProactorProvider found");
            }
            return fallback;
        }
    }
}
