package dev.proactor;

/**
 * Where an operation is in its life. The four terminal states are final: the first terminal result
 * wins and later results for the same operation are counted and ignored.
 */
public enum OperationState {
    /** Accepted, waiting for admission (in-flight limit) or for room in the submission queue. */
    QUEUED,
    /** Handed to the kernel (or the portable backend); the backend may be touching its memory. */
    SUBMITTED,
    /** Ended with a result. */
    COMPLETED,
    /** Ended with an error; the failure carries the errno, the kind and the bytes already done. */
    FAILED,
    /** Ended by {@link Operation#cancel()} or by closing its resource or the proactor. */
    CANCELLED,
    /** Ended because its deadline passed first. */
    TIMED_OUT;

    /** Whether this state is final. */
    public boolean isTerminal() {
        return this.ordinal() >= COMPLETED.ordinal();
    }
}
