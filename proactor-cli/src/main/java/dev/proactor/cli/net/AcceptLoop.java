package dev.proactor.cli.net;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.OperationCancelledException;
import dev.proactor.Proactor;
import dev.proactor.ProactorClosedException;
import dev.proactor.ProactorException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepts connections in completion handlers, one accept pending at a time, with a limit on the
 * connections open at once. Every method is safe from any thread.
 *
 * <p>At the limit an accept is pending only while the owner says it could reclaim a connection
 * (close one that is only waiting) for a newcomer: the newcomer is then handed over as the
 * limit's one extra, and the owner is to reclaim a slot for it. Otherwise no accept is pending:
 * further clients wait in the kernel's listen backlog, and the next accept starts when the owner
 * reports, through {@link #released()}, that a connection ended, or through {@link #reconsider()},
 * that one became reclaimable. So at most {@code maxConnections + 1} connections are handed over
 * and not released at any time. {@link #maybeAccept()} is the one place that decides. A failed
 * accept (such as EMFILE) is reported and retried after {@value #RETRY_MILLIS} ms, so that a
 * persistent failure does not spin.
 */
public final class AcceptLoop {
    private static final long RETRY_MILLIS = 100;

    private final Proactor proactor;
    private final AsyncServerSocket listener;
    private final int maxConnections;
    private final Consumer<AsyncSocket> onAccepted;
    private final Consumer<String> report;
    private final BooleanSupplier reclaimable;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicBoolean accepting = new AtomicBoolean();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean stopped;

    /**
     * @param maxConnections connections open at once; 0 or less for no limit
     * @param onAccepted takes each accepted socket, on a worker; it owns the socket from then on and
     *     calls {@link #released()} once it is closed (also when the loop was stopped meanwhile)
     * @param report takes a line about a failed accept
     */
    public AcceptLoop(Proactor proactor, AsyncServerSocket listener, int maxConnections,
            Consumer<AsyncSocket> onAccepted, Consumer<String> report) {
        this(proactor, listener, maxConnections, onAccepted, report, () -> false);
    }

    /**
     * A loop that keeps accepting at the limit while {@code reclaimable} answers true.
     *
     * @param reclaimable whether the owner could free a slot for a newcomer now; called from any
     *     thread, it must be cheap and may be stale (the newcomer then stays the limit's one extra
     *     until a connection ends)
     */
    public AcceptLoop(Proactor proactor, AsyncServerSocket listener, int maxConnections,
            Consumer<AsyncSocket> onAccepted, Consumer<String> report, BooleanSupplier reclaimable) {
        this.proactor = proactor;
        this.listener = listener;
        this.maxConnections = maxConnections <= 0 ? Integer.MAX_VALUE : maxConnections;
        this.onAccepted = onAccepted;
        this.report = report;
        this.reclaimable = reclaimable;
    }

    public void start() {
        maybeAccept();
    }

    /** Stops accepting and closes the listener; connections already handed over stay the owner's. */
    public void stop() {
        stopped = true;
        listener.closeAsync();
    }

    /** Whether {@link #stop()} was called: an owner closes a socket it receives after that. */
    public boolean isStopped() {
        return stopped;
    }

    /** Connections accepted so far. */
    public long accepted() {
        return accepted.get();
    }

    /** Connections handed over and not yet released. */
    public int active() {
        return active.get();
    }

    /** Whether more connections are handed over than the limit: the newest is to get a reclaimed slot. */
    public boolean overLimit() {
        return active.get() > maxConnections;
    }

    /** A connection became reclaimable: at the limit, an accept may start again. */
    public void reconsider() {
        if (active.get() >= maxConnections) {
            maybeAccept();
        }
    }

    /** A connection handed over earlier is closed: room for the next. */
    public void released() {
        active.decrementAndGet();
        maybeAccept();
    }

    /**
     * Initiates an accept unless one is pending, the loop is stopped, or the limit is reached with
     * nothing to reclaim. After declining it looks again, since a connection may have been released
     * (or become reclaimable) meanwhile and found {@code accepting} still set.
     */
    private void maybeAccept() {
        while (!stopped && accepting.compareAndSet(false, true)) {
            if (room()) {
                listener.accept().onComplete(this::accepted);
                return;
            }
            accepting.set(false);
            if (!room()) {
                return;
            }
        }
    }

    private boolean room() {
        int n = active.get();
        return n < maxConnections || n == maxConnections && reclaimable.getAsBoolean();
    }

    private void accepted(AsyncSocket socket, ProactorException failure) {
        if (failure != null) {
            accepting.set(false);
            if (stopped || failure instanceof OperationCancelledException || failure instanceof ProactorClosedException) {
                return;
            }
            report.accept("accept failed: " + failure.getMessage());
            proactor.timer(Duration.ofMillis(RETRY_MILLIS)).onComplete((v, f) -> maybeAccept());
            return;
        }
        accepted.incrementAndGet();
        active.incrementAndGet();
        accepting.set(false);
        maybeAccept();
        onAccepted.accept(socket);
    }
}
