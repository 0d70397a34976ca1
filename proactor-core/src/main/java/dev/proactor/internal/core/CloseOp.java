package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;

/**
 * Closes a descriptor: a file's, once every other operation on the file has ended, or an orphan
 * opened by an operation cancelled too late. A failed close still leaves the descriptor closed
 * (close(2) releases it whatever it reports), so the file counts as closed either way.
 *
 * <p>A close is never cancelled once initiated: the dispatcher ignores a cancel of it, in whatever
 * queue it waits (for the file's other operations to end, or for the kernel), so that it always ends
 * with the descriptor closed. Its canceller is answered {@code TOO_LATE} when it ends (or
 * {@code NOT_FOUND} if it had ended already). Ending a close early would leave the descriptor open
 * with nothing left to close it: the resource already refuses new operations and its one close
 * operation, and the proactor's own close skips a resource whose close was initiated.
 *
 * <p>A socket's ordinary close is graceful: the dispatcher lets the writes initiated before it
 * finish ({@link #lingering}, until {@link #lingerUntil}), then cancels what else is pending, and
 * the close goes to the kernel in two rounds, shutdown(SHUT_WR) and then close. If the writes do
 * not drain in time, or {@link #abortRequested abort()} is asked for, they are cancelled, the
 * connection is reset ({@link #reset}) and the close is a single round; a timed-out close still
 * closes the descriptor and says so in its failure.
 */
final class CloseOp extends OperationImpl<Void> {
    private final Request.Close request;
    /** What the orphan descriptor was, for errors and listings; null for a resource's own close. */
    private final String orphan;
    /** The operations this close ended (dispatcher); their outcomes are published before its own. */
    java.util.List<OperationImpl<?>> ended = java.util.List.of();

    /** A socket's close: FIN after the writes initiated before it, unless reset. */
    final boolean graceful;
    /** How long the writes may take to drain, from initiation; {@link #lingerUntil} on the nanoTime clock. */
    final java.time.Duration linger;
    final long lingerUntil;
    /** {@code abort()} was called; set under the resource's monitor before the dispatcher hears of it. */
    volatile boolean abortRequested;

    // ---- dispatcher-confined ----
    /** Waiting (in CLOSE_WAIT) for the socket's send order to drain. */
    boolean lingering;
    /** The connection is reset rather than shut down: aborted, or the writes did not drain in time. */
    boolean reset;
    /** What the expired bound did, for the close's failure; null if the writes drained or were aborted. */
    String expired;
    /** The next round is the shutdown(SHUT_WR) that precedes the close. */
    boolean shutdownRound;

    CloseOp(CoreProactor p, Resource r) {
        this(p, r, r.closeLinger, false);
    }

    /** A resource's close; {@code linger} bounds a socket's drain (null: none to wait for). */
    CloseOp(CoreProactor p, Resource r, java.time.Duration linger, boolean abort) {
        super(p, OperationKind.CLOSE, r, null);
        this.request = new Request.Close(r.fd);
        this.orphan = null;
        this.graceful = r.kind == Resource.Kind.SOCKET;
        this.linger = linger == null ? java.time.Duration.ZERO : linger;
        this.lingerUntil = startNanos + this.linger.toNanos();
        this.abortRequested = abort;
    }

    CloseOp(CoreProactor p, int fd, String orphan) {
        super(p, OperationKind.CLOSE, null, null);
        this.request = new Request.Close(fd);
        this.orphan = orphan;
        this.graceful = false;
        this.linger = java.time.Duration.ZERO;
        this.lingerUntil = startNanos;
    }

    @Override
    String resource() {
        return orphan != null ? orphan : super.resource();
    }

    @Override
    public Request request() {
        return shutdownRound ? new Request.Shutdown(request.fd(), false, true) : request;
    }

    @Override
    void onResult(long result, Object attachment) {
        if (shutdownRound) {
            shutdownRound = false;
            again();
        } else if (expired != null) {
            settleWith(dev.proactor.OperationState.TIMED_OUT,
                    new dev.proactor.OperationTimeoutException(kind, resource(), linger, 0, expired));
        } else {
            succeed(null);
        }
    }

    /**
     * A failed shutdown round (the peer reset the connection: ENOTCONN) does not stop the close:
     * the descriptor is closed next. Returns whether the failure was absorbed.
     */
    boolean absorbFailure(int errno) {
        if (!shutdownRound) {
            return false;
        }
        shutdownRound = false;
        again();
        return true;
    }

    /**
     * Whoever sees the close complete must see the operations it ended as ended: their outcomes
     * were handed to the workers before this one, and are waited for here (bounded).
     */
    @Override
    void beforeDelivery() {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        for (OperationImpl<?> op : ended) {
            op.awaitDelivered(deadline);
        }
    }

    @Override
    void afterKernel() {
        // Only a close that reached the kernel released the descriptor; one failed before it (the
        // proactor stopped first) leaves the file open.
        if (resource != null && attempts > 0 && outcome != dev.proactor.OperationState.CANCELLED) {
            proactor.resourceClosed(resource);
        }
    }
}
