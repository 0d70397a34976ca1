package dev.proactor.nio2;

import dev.proactor.BackendChoice;
import java.nio.channels.spi.AsynchronousChannelProvider;

/**
 * The providers every contract test runs against: the JDK's own, and this module's on each
 * backend. A test that fails on one side only shows a difference. The JDK's is made by
 * {@code sun.nio.ch.DefaultAsynchronousChannelProvider.create()} (the module's surefire
 * configuration exports the package to the tests), since this module's service file on the test
 * class path makes {@link AsynchronousChannelProvider#provider()} answer this provider.
 */
enum Side {
    JDK,
    PROACTOR_IO_URING,
    PROACTOR_PORTABLE;

    private static final ProactorChannelProvider URING = new ProactorChannelProvider(BackendChoice.IO_URING);
    private static final ProactorChannelProvider PORTABLE = new ProactorChannelProvider(BackendChoice.PORTABLE);

    private static final AsynchronousChannelProvider JDK_PROVIDER = jdkProvider();

    private static AsynchronousChannelProvider jdkProvider() {
        try {
            return (AsynchronousChannelProvider) Class.forName("sun.nio.ch.DefaultAsynchronousChannelProvider")
                    .getMethod("create").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the JDK's provider needs --add-exports java.base/sun.nio.ch=ALL-UNNAMED", e);
        }
    }

    AsynchronousChannelProvider provider() {
        return switch (this) {
            case JDK -> JDK_PROVIDER;
            case PROACTOR_IO_URING -> URING;
            case PROACTOR_PORTABLE -> PORTABLE;
        };
    }
}
