package dev.proactor;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Several proactors, each with its own dispatcher thread and ring, so that one process uses every
 * core: a server listens once per member on the same port (SO_REUSEPORT; the kernel spreads new
 * connections across the listeners) and each connection stays on the member that accepted it.
 * Thread-safe.
 *
 * <pre>{@code
 * try (ProactorGroup group = ProactorGroup.open(Runtime.getRuntime().availableProcessors(), config)) {
 *     for (AsyncServerSocket listener : group.listenEach(new InetSocketAddress(8080), SocketOptions.defaults())) {
 *         acceptLoop(listener);   // runs on that member's dispatcher and workers
 *     }
 * }
 * }</pre>
 */
public interface ProactorGroup extends AutoCloseable {

    /**
     * Opens {@code members} proactors configured by {@code config}; each member's threads are named
     * {@code <config.name()>-<index>-...}.
     */
    static ProactorGroup open(int members, ProactorConfig config) {
        return dev.proactor.internal.select.Backends.openGroup(members, config);
    }

    /** The members, in a fixed order. */
    List<Proactor> members();

    /** A member chosen round-robin, for spreading client connections or files. */
    Proactor next();

    /**
     * Listens on {@code local} once per member with {@code SO_REUSEPORT} and returns one listener
     * per member, in member order; for port 0 the first member's listener picks the port and the
     * others bind the same one. Waits for the listens, as a bind does; on failure closes the
     * listeners it had made and throws the failure.
     *
     * @throws ProactorException a member's listen failed
     * @throws InterruptedException the waiting thread was interrupted; listeners made are closed
     */
    List<AsyncServerSocket> listenEach(SocketAddress local, SocketOptions options)
            throws ProactorException, InterruptedException;

    /** Closes every member within {@code deadline}; returns their reports in member order. */
    List<CloseReport> close(Duration deadline);

    /** {@link #close(Duration)} with the members' own close timeout. */
    @Override
    void close();
}
