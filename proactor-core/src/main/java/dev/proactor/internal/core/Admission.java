package dev.proactor.internal.core;

import dev.proactor.AdmissionPolicy;
import dev.proactor.AdmissionRejectedException;
import dev.proactor.ProactorClosedException;
import dev.proactor.ProactorException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-flight limits: a global one and one per file, enforced by the policy the user picked. An
 * operation holds its permits from admission until the dispatcher finishes it. The same policy
 * decides for a socket's write budget (bytes of writes pending), counted here too. Thread-safe.
 */
final class Admission {
    private final int limit;
    private final Permits global;
    private final AdmissionPolicy policy;
    private final Metrics metrics;
    private final AtomicInteger queued = new AtomicInteger();

    Admission(int limit, AdmissionPolicy policy, Metrics metrics) {
        this.limit = limit;
        this.global = new Permits(limit);
        this.policy = policy;
        this.metrics = metrics;
    }

    /**
     * Admits {@code op} on the initiating thread. Returns true if admitted now, false if it joined
     * the admission queue (the dispatcher admits it later through {@link #tryAdmitQueued}).
     *
     * @throws AdmissionRejectedException when the policy refuses it
     * @throws InterruptedException if a waiting initiator is interrupted
     */
    boolean admit(OperationImpl<?> op, boolean onDispatcher) throws AdmissionRejectedException, InterruptedException {
        if (tryBoth(op)) {
            return true;
        }
        switch (policy) {
            case AdmissionPolicy.Reject r -> throw rejected(op, "policy reject");
            case AdmissionPolicy.Wait w when !onDispatcher -> {
                if (waitBoth(op, w.maxWait().toNanos())) {
                    return true;
                }
                throw rejected(op, "waited " + w.maxWait() + " for a slot");
            }
            case AdmissionPolicy.Wait w -> {
                enqueue(op, Integer.MAX_VALUE);
                return false;
            }
            case AdmissionPolicy.Queue q -> {
                enqueue(op, q.bound());
                return false;
            }
        }
    }

    private void enqueue(OperationImpl<?> op, int bound) throws AdmissionRejectedException {
        if (queued.incrementAndGet() > bound) {
            queued.decrementAndGet();
            throw rejected(op, "admission queue of " + bound + " is full");
        }
    }

    /** Dispatcher side: admits a queued operation if both limits allow it now. */
    boolean tryAdmitQueued(OperationImpl<?> op) {
        if (tryBoth(op)) {
            queued.decrementAndGet();
            return true;
        }
        return false;
    }

    /** A queued operation ended before admission (cancelled, timed out, closed). */
    void dequeued() {
        queued.decrementAndGet();
    }

    int queued() {
        return queued.get();
    }

    private boolean tryBoth(OperationImpl<?> op) {
        int inFlight = global.tryAcquire();
        if (inFlight == 0) {
            return false;
        }
        Permits local = op.resource == null ? null : op.resource.permits;
        if (local != null && local.tryAcquire() == 0) {
            global.release();
            return false;
        }
        held(op, inFlight);
        return true;
    }

    private boolean waitBoth(OperationImpl<?> op, long nanos) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        int inFlight = global.tryAcquire(nanos);
        if (inFlight == 0) {
            return false;
        }
        Permits local = op.resource == null ? null : op.resource.permits;
        if (local != null && local.tryAcquire(Math.max(0, end - System.nanoTime())) == 0) {
            global.release();
            return false;
        }
        held(op, inFlight);
        return true;
    }

    /** {@code op} holds its permits; {@code inFlight} were held globally with its own. */
    private void held(OperationImpl<?> op, int inFlight) {
        op.admitted = true;
        metrics.admitted(inFlight);
    }

    /** Gives back the permits of a finished operation. */
    void release(OperationImpl<?> op) {
        if (!op.admitted) {
            return;
        }
        op.admitted = false;
        if (op.resource != null && op.resource.permits != null) {
            op.resource.permits.release();
        }
        global.release();
    }

    private AdmissionRejectedException rejected(OperationImpl<?> op, String why) {
        return new AdmissionRejectedException(op.kind, op.resource(),
                "in-flight limit " + (op.resource != null && op.resource.permits != null && global.available() > 0
                        ? "per resource" : "of " + limit) + " reached (" + why + ")");
    }

    // ---------------------------------------------------------------- write budgets

    /**
     * Counts a write's bytes against its socket's write budget before it is admitted; beyond the
     * budget (while another write is pending) the admission policy decides: reject, wait for
     * earlier writes to end, or accept it into the socket's send order.
     */
    void reserveWrite(OperationImpl<?> op, boolean onDispatcher)
            throws ProactorException, InterruptedException {
        Resource r = op.resource;
        long n = op.writeBytes;
        long waitUntil = 0;
        while (true) {
            long pending = r.pendingWrites();
            long budget = r.writeBudget;
            if (pending == 0 || pending + n <= budget) {
                if (r.reserveWriteBytes(pending, n)) {
                    op.writeReserved = true;
                    return;
                }
                continue;
            }
            switch (policy) {
                case AdmissionPolicy.Reject x -> throw budgetRejected(op, pending, budget, "policy reject");
                case AdmissionPolicy.Wait w when !onDispatcher -> {
                    if (waitUntil == 0) {
                        waitUntil = System.nanoTime() + Math.max(1, w.maxWait().toNanos());
                    }
                    if (!r.open) {
                        throw new ProactorClosedException(op.kind, op.resource(), r.closedWord(), 0);
                    }
                    long left = waitUntil - System.nanoTime();
                    if (left <= 0) {
                        throw budgetRejected(op, pending, budget, "waited " + w.maxWait() + " for earlier writes");
                    }
                    r.awaitWriteRoom(pending, left);
                }
                default -> {
                    // Queue (or wait on the dispatcher, which cannot wait for itself): accepted, and
                    // submitted in order once the writes ahead of it ended.
                    r.addPendingWrites(n);
                    op.writeReserved = true;
                    return;
                }
            }
        }
    }

    private static AdmissionRejectedException budgetRejected(OperationImpl<?> op, long pending, long budget, String why) {
        return new AdmissionRejectedException(op.kind, op.resource(),
                "write budget of " + budget + " bytes reached (" + pending + " pending, " + op.writeBytes + " more; "
                        + why + ")");
    }

    /** Gives back a write's share of its socket's budget; idempotent. */
    void writeEnded(OperationImpl<?> op) {
        if (op.writeReserved) {
            op.writeReserved = false;
            op.resource.writeEnded(op.writeBytes);
        }
    }
}
