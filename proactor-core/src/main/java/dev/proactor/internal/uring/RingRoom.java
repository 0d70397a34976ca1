package dev.proactor.internal.uring;

import java.util.function.IntSupplier;

/**
 * The room a submission may take in the ring, decided before its SQEs are prepared: free SQ
 * slots, and completion-queue entries nobody has promised yet. Every SQE the backend prepares
 * promises the CQEs it may produce, and every CQE reaped gives one back, so the completions due
 * never exceed what the CQ holds and the kernel's overflow list is never needed.
 *
 * <p>One CQ entry is kept for the wake-up read: {@link #fits} never hands it out, only
 * {@link #fitsWake} may take it. However full the ring, the dispatcher can still be woken to
 * reap what frees the rest.
 *
 * <p>Dispatcher thread only.
 */
final class RingRoom {

    private final IntSupplier sqSpace;
    private final int capacity;
    private int promised;

    /**
     * @param sqSpace the SQ slots free now ({@link SubmissionQueue#space})
     * @param capacity the CQEs that may be due at once
     */
    RingRoom(IntSupplier sqSpace, int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("a completion queue of " + capacity + " leaves no room beside the wake-up");
        }
        this.sqSpace = sqSpace;
        this.capacity = capacity;
    }

    /** Whether {@code sqes} SQEs producing up to {@code cqes} CQEs fit now, the wake-up's entry aside. */
    boolean fits(int sqes, int cqes) {
        return sqSpace.getAsInt() >= sqes && promised + cqes <= capacity - 1;
    }

    /** Whether the wake-up read fits: one SQE, and the CQ entry kept for it. */
    boolean fitsWake() {
        return sqSpace.getAsInt() >= 1 && promised < capacity;
    }

    /** Takes room for {@code sqes} SQEs and {@code cqes} CQEs if it {@link #fits}; whether it did. */
    boolean take(int sqes, int cqes) {
        if (!fits(sqes, cqes)) {
            return false;
        }
        promised += cqes;
        return true;
    }

    /** Promises {@code cqes} more CQEs, whose room was checked or is kept (the wake-up's, a multishot's last). */
    void promise(int cqes) {
        promised += cqes;
    }

    /** One promised CQE was reaped, or will never come (a zero-copy send without notification). */
    void release() {
        promised--;
    }

    /** CQEs promised and not yet reaped. */
    int promised() {
        return promised;
    }

    /** CQEs that may be due at once, the wake-up's included. */
    int capacity() {
        return capacity;
    }
}
