package dev.proactor;

import java.time.Duration;
import java.util.Objects;

/**
 * What happens to an operation initiated while the in-flight limit is reached.
 *
 * <p>Admitted operations count against the limit from initiation until their terminal outcome.
 * Independently of this policy the backend never lets the kernel's completion queue overflow: an
 * admitted operation that would not fit waits, inside the dispatcher, for room.
 */
public sealed interface AdmissionPolicy {

    /** Fail the operation at once with {@link AdmissionRejectedException}. */
    static AdmissionPolicy reject() {
        return Reject.INSTANCE;
    }

    /**
     * Park the initiating thread until a slot frees, at most {@code maxWait}; then fail with
     * {@link AdmissionRejectedException}. On the dispatcher thread (inline handlers) it queues
     * instead, because waiting there would wait for itself.
     */
    static AdmissionPolicy waitUpTo(Duration maxWait) {
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
        }
        return new Wait(maxWait);
    }

    /**
     * Accept up to {@code bound} operations beyond the limit into a FIFO queue, admitted as slots
     * free; beyond the bound fail with {@link AdmissionRejectedException}.
     */
    static AdmissionPolicy queue(int bound) {
        if (bound < 0) {
            throw new IllegalArgumentException("bound must not be negative: " + bound);
        }
        return new Queue(bound);
    }

    /** See {@link #reject()}. */
    enum Reject implements AdmissionPolicy {
        /** The only instance. */
        INSTANCE
    }

    /**
     * See {@link #waitUpTo(Duration)}.
     *
     * @param maxWait how long the initiating thread may wait
     */
    record Wait(Duration maxWait) implements AdmissionPolicy {}

    /**
     * See {@link #queue(int)}.
     *
     * @param bound how many operations may wait beyond the limit
     */
    record Queue(int bound) implements AdmissionPolicy {}
}
