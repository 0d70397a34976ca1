package dev.proactor.internal.core;

import dev.proactor.ProactorConfig;
import dev.proactor.internal.core.OperationImpl.Place;
import dev.proactor.internal.core.OperationImpl.Report;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Errno;
import dev.proactor.internal.spi.Submission;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;

/**
 * What the backend reports, settled: each report passes the one gate ({@link OperationImpl#admits})
 * or is counted as a duplicate; a result is interpreted by the operation ({@code onResult}) or
 * turned into a retry under the {@code RetryPolicy}; a release frees the round's table slot and
 * either queues the next round (READY, RETRY, or parked for a stream) or finishes the operation.
 * Called by the backend on the dispatcher thread, inside its {@code runOnce}.
 */
final class Settlement implements Completions {
    private static final System.Logger LOG = System.getLogger("dev.proactor");

    private final Dispatcher dispatcher;
    private final ProactorConfig config;
    private final Metrics metrics;

    Settlement(Dispatcher dispatcher, ProactorConfig config, Metrics metrics) {
        this.dispatcher = dispatcher;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public Submission lookup(long token) {
        return dispatcher.table().lookup(token);
    }

    @Override
    public void complete(Submission s, long result, Object attachment) {
        OperationImpl<?> op = (OperationImpl<?>) s;
        if (!counts(op, Report.RESULT)) {
            return;
        }
        try {
            op.onResult(result, attachment);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "interpreting the result of " + op + " failed", e);
            op.failErrno(Errno.EIO);
        }
    }

    @Override
    public void fail(Submission s, int errno) {
        OperationImpl<?> op = (OperationImpl<?>) s;
        if (!counts(op, Report.RESULT)) {
            return;
        }
        if (op instanceof StreamingOp<?> st && st.absorbFailure(errno)) {
            return;
        }
        if (op instanceof CloseOp c && c.absorbFailure(errno)) {
            return;
        }
        if (op.cancelRequested && (errno == Errno.ECANCELED || errno == Errno.EINTR
                || op.resource != null && op.resource.closing != null)) {
            // io-wq interrupts a blocking request it cancels (an open waiting on a FIFO): EINTR.
            // A request ended by its file's close fails however the backend ended it (EBADF).
            op.settleCancelled();
        } else if (!op.cancelRequested && dispatcher.running() && !(op instanceof StreamingOp<?>)
                && config.retry().shouldRetry(Errno.name(errno), op.failedTries + 1)) {
            op.failedTries++;
            op.againAfter(System.nanoTime() + config.retry().delayAfter(op.failedTries).toNanos());
            metrics.retried(op.kind);
        } else {
            op.failErrno(errno);
        }
    }

    @Override
    public void timedOut(Submission s) {
        OperationImpl<?> op = (OperationImpl<?>) s;
        if (!counts(op, Report.TIMEOUT)) {
            return;
        }
        op.settleTimedOut();
    }

    @Override
    public void cancelled(Submission s) {
        OperationImpl<?> op = (OperationImpl<?>) s;
        if (!counts(op, Report.RESULT)) {
            return;
        }
        if (op instanceof StreamingOp<?> st && st.absorbCancel()) {
            return;
        }
        op.settleCancelled();
    }

    @Override
    public void released(Submission s) {
        OperationImpl<?> op = (OperationImpl<?>) s;
        if (!counts(op, Report.RELEASE)) {
            return;
        }
        op.moveTo(Place.NOWHERE);
        dispatcher.table().free(op.token());
        if (op.verdict == OperationImpl.Verdict.OPEN) {
            LOG.log(Level.ERROR, "backend released " + op + " without an outcome");
            op.failErrno(Errno.EIO);
        }
        if (!op.settled()) {
            // Another round is wanted: partial transfer or retry.
            if (op.cancelRequested) {
                op.settleCancelled();
            } else if (dispatcher.cancelling() && !(op instanceof CloseOp)) {
                // A close between its shutdown and close rounds still closes.
                op.cancelReason = "proactor closed";
                op.settleCancelled();
            } else {
                op.verdict = OperationImpl.Verdict.OPEN;
                if (op instanceof StreamingOp<?> st) {
                    if (st.stopping) {
                        // A stop still waiting for SQ room must not hit the next round.
                        dispatcher.forgetCancel(op);
                    }
                    st.stopping = false;
                    if (st.starved && dispatcher.streams().providedBufferFree()) {
                        // Buffers came back before the kernel's ENOBUFS was reaped: nobody else will say so.
                        st.starved = false;
                    }
                    if (!st.wantsArm()) {
                        dispatcher.streams().park(st);
                        return;
                    }
                }
                dispatcher.enqueue(op, op.againAtNanos != 0 ? Place.RETRY : Place.READY);
                return;
            }
        }
        dispatcher.finish(op);
    }

    @Override
    public void next(Submission s, long result, Object attachment) {
        StreamingOp<?> op = (StreamingOp<?>) s;
        if (!op.admits(Report.ITEM)) {
            // Never expected: an item after the stream's end. Whatever it holds goes back.
            LOG.log(Level.WARNING, "item for " + op + " after its end; dropped");
            dropItem(op, result, attachment);
            return;
        }
        try {
            op.onItem(result, attachment);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "interpreting an item of " + op + " failed", e);
            dropItem(op, result, attachment);
        }
        afterItem(op);
    }

    @Override
    public void nextChunk(Submission s, long result, int bufferId, MemorySegment data) {
        ReceiveEachOp op = (ReceiveEachOp) s;
        if (!op.admits(Report.ITEM)) {
            LOG.log(Level.WARNING, "chunk for " + op + " after its end; dropped");
            dispatcher.backend().recycle(bufferId);
            return;
        }
        try {
            op.onChunk(result, bufferId, data);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "interpreting a chunk of " + op + " failed", e);
            dispatcher.backend().recycle(bufferId);
        }
        afterItem(op);
    }

    /** A stream that no longer wants its round (a lag, a pause) has it stopped. */
    private void afterItem(StreamingOp<?> op) {
        if (op.inKernel() && !op.wantsArm()) {
            dispatcher.streams().stop(op);
        }
    }

    /** The settle gate ({@link OperationImpl#admits}); a report it refuses is counted as a duplicate. */
    private boolean counts(OperationImpl<?> op, Report report) {
        if (op.admits(report)) {
            return true;
        }
        metrics.duplicate();
        return false;
    }

    private void dropItem(StreamingOp<?> op, long result, Object attachment) {
        if (attachment instanceof dev.proactor.internal.spi.Request.Chunk c) {
            dispatcher.backend().recycle(c.bufferId());
        } else if (op instanceof AcceptEachOp) {
            dispatcher.proactor().closeOrphan((int) result, "connection accepted by an ended stream");
        }
    }

    @Override
    public void stray(long userData, int result) {
        metrics.stray();
        LOG.log(Level.DEBUG, () -> "stray completion user_data=" + Long.toHexString(userData) + " res=" + result);
    }

    @Override
    public void overflowed(long n) {
        metrics.overflowed(n);
    }
}
