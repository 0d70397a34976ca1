package dev.proactor.internal.core;

import dev.proactor.OperationState;
import dev.proactor.ProactorClosedException;
import dev.proactor.internal.core.OperationImpl.Place;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The order of operations on one file or socket: its pending set (which its close waits for and
 * cancels), its two lanes (a socket's receives, and its sends, each served one at a time in
 * initiation order) and its close, which for a socket may first let the writes initiated before it
 * drain (linger) until its bound, then cancels them and resets the connection. Dispatcher-confined.
 */
final class ResourceOrder {
    private final Dispatcher dispatcher;
    /** Stream operations waiting behind another of the same direction on their socket. */
    private final Set<OperationImpl<?>> laneWaiting = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Closes waiting for their file's other operations to end. */
    private final Set<OperationImpl<?>> closeWaiting = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Socket closes (also in closeWaiting) letting their writes drain, earliest bound first. */
    private final PriorityQueue<CloseOp> lingering = new PriorityQueue<>(Comparator.comparingLong(c -> c.lingerUntil));

    ResourceOrder(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /**
     * Takes a new operation into its resources' order. Returns true when it may be queued for the
     * backend now; false when this took it: a close (which waits or goes on itself), an operation on
     * a closed resource (finished, failed), or a stream operation behind another of its direction.
     */
    boolean enter(OperationImpl<?> op) {
        Resource f = op.resource;
        if (f != null) {
            if (op instanceof CloseOp close && f.closing == null && !f.closed) {
                f.closing = close;
                close.ended = f.pendingSnapshot();
                if (close.graceful && !dispatcher.cancelling() && f.laneOwner(OperationImpl.SEND_LANE) != null) {
                    linger(close);
                } else {
                    endPending(close);
                }
                return false;
            }
            if (refusedClosed(op, f)) {
                return false;
            }
            f.addPending(op);
        }
        if (op instanceof TransferOp t) {
            // The file is a second resource: its close must wait for (and cancel) the transfer.
            if (refusedClosed(op, t.file)) {
                return false;
            }
            t.file.addPending(op);
        }
        int d = op.lane();
        if (d >= 0 && !dispatcher.cancelling()) {
            if (f.laneOwner(d) != null) {
                f.waitInLane(d, op);
                op.moveTo(Place.LANE_WAIT);
                laneWaiting.add(op);
                return false;
            }
            f.setLaneOwner(d, op);
        }
        return true;
    }

    /** Fails and finishes {@code op} if {@code r} is closed or closing; returns whether it did. */
    private boolean refusedClosed(OperationImpl<?> op, Resource r) {
        if (r.closing == null && !r.closed) {
            return false;
        }
        op.settleWith(OperationState.FAILED, new ProactorClosedException(op.kind, op.resource(), r.closedWord(), 0));
        dispatcher.finish(op);
        return true;
    }

    /** Takes a finished operation out of its resources' order; whatever waited for it goes on. */
    void left(OperationImpl<?> op) {
        Resource f = op.resource;
        if (f != null) {
            leave(f, op);
        }
        if (op instanceof TransferOp t) {
            leave(t.file, op);
        }
        int d = op.lane();
        if (d >= 0 && f != null) {
            if (f.laneOwner(d) == op) {
                f.setLaneOwner(d, null);
                OperationImpl<?> next = f.nextInLane(d);
                if (next != null) {
                    laneWaiting.remove(next);
                    f.setLaneOwner(d, next);
                    next.moveTo(Place.NOWHERE);
                    dispatcher.enqueue(next, next.admitted ? Place.READY : Place.BACKLOG);
                }
            }
            if (f.closing != null && f.closing.lingering && f.closing.place == Place.CLOSE_WAIT
                    && f.laneOwner(OperationImpl.SEND_LANE) == null) {
                stopLingering(f.closing);
                endPending(f.closing);
            }
        }
    }

    /**
     * Ends what is pending on {@code close}'s resource (cancelled), resetting a socket's connection
     * first if the close says so, and queues the close once nothing is pending.
     */
    private void endPending(CloseOp close) {
        Resource f = close.resource;
        close.reset |= close.abortRequested;
        String reason = close.expired != null ? f.closedWord() + " (its close timed out)"
                : close.reset ? f.closedWord() + " (aborted)" : f.closedWord();
        for (OperationImpl<?> other : close.ended) {
            dispatcher.cancel(other, reason);
        }
        if (close.reset) {
            dispatcher.backend().resetConnection(f.fd);
        }
        if (!f.nonePending()) {
            // Operations that cannot be cancelled (a blocking read on the portable backend)
            // must not keep the close waiting for ever.
            dispatcher.backend().descriptorClosing(f.fd);
        }
        close.shutdownRound = close.graceful && !close.reset && !dispatcher.cancelling();
        if (f.nonePending()) {
            dispatcher.enqueue(close, Place.READY);
        } else {
            close.moveTo(Place.CLOSE_WAIT);
            closeWaiting.add(close);
        }
    }

    /** Takes a finished {@code op} out of {@code f}'s pending set; a close waiting for that set to empty goes on. */
    private void leave(Resource f, OperationImpl<?> op) {
        f.removePending(op);
        if (f.closing != null && f.closing != op && f.nonePending() && f.closing.place == Place.CLOSE_WAIT
                && !f.closing.lingering) {
            closeWaiting.remove(f.closing);
            f.closing.moveTo(Place.NOWHERE);
            dispatcher.enqueue(f.closing, Place.READY);
        }
    }

    /** {@code close} waits for its socket's writes; at once expired if its bound is already past. */
    private void linger(CloseOp close) {
        close.lingering = true;
        close.moveTo(Place.CLOSE_WAIT);
        closeWaiting.add(close);
        lingering.add(close);
        if (close.abortRequested || close.lingerUntil - System.nanoTime() <= 0) {
            expire(close);
        }
    }

    private void stopLingering(CloseOp close) {
        close.lingering = false;
        lingering.remove(close);
        closeWaiting.remove(close);
        close.moveTo(Place.NOWHERE);
    }

    void expireLingers(long now) {
        while (!lingering.isEmpty() && now - lingering.peek().lingerUntil >= 0) {
            expire(lingering.peek());
        }
    }

    /** The writes did not drain in time, or the close was aborted: cancel them and reset. */
    void expire(CloseOp close) {
        if (!close.lingering || close.finished() || close.place != Place.CLOSE_WAIT) {
            // Its writes drained first, or it ended: nothing left to expire.
            lingering.remove(close);
            return;
        }
        stopLingering(close);
        close.reset = true;
        if (!close.abortRequested) {
            int writes = 0;
            long unsent = 0;
            for (OperationImpl<?> op : close.resource.pendingSnapshot()) {
                if (op.lane() == OperationImpl.SEND_LANE && op.writeBytes > 0) {
                    writes++;
                    unsent += Math.max(0, op.writeBytes - op.bytesDone);
                }
            }
            close.expired = "the writes initiated before it did not drain: " + writes + " write(s) with up to "
                    + unsent + " bytes unsent cancelled, connection reset";
        }
        endPending(close);
    }

    /** When the earliest lingering close's bound passes, or 0 when none lingers. */
    long nextLingerBound() {
        return lingering.isEmpty() ? 0 : lingering.peek().lingerUntil;
    }

    /** Takes a stream operation waiting for its turn out (it is being cancelled). */
    void removeLaneWaiting(OperationImpl<?> op) {
        laneWaiting.remove(op);
        op.resource.leaveLane(op.lane(), op);
    }

    /** Adds every operation waiting here (for its turn, or a close for the rest) to {@code all}. */
    void addWaiting(List<OperationImpl<?>> all) {
        all.addAll(closeWaiting);
        all.addAll(laneWaiting);
    }

    /** Forgets every waiting operation (the close gave up on them). */
    void clear() {
        closeWaiting.clear();
        lingering.clear();
        for (OperationImpl<?> op : laneWaiting) {
            op.resource.clearLanes();
        }
        laneWaiting.clear();
    }
}
