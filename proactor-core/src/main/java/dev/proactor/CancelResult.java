package dev.proactor;

/**
 * The final outcome of a cancellation request, delivered once the kernel is done with the
 * operation.
 *
 * @param kind what the request achieved
 * @param operation the operation it targeted; its state and result are final
 */
public record CancelResult(Kind kind, Operation<?> operation) {

    /** What a cancellation request achieved. */
    public enum Kind {
        /** The request ended the operation: its state is {@link OperationState#CANCELLED}. */
        CANCELLED,
        /**
         * The operation ended by itself before the cancellation could take hold: completed, failed
         * or timed out, and its outcome stands. (Named for the cancel, not the outcome, which
         * {@link Operation#state()} gives.)
         */
        TOO_LATE,
        /**
         * The operation had already ended when the cancellation was asked for: its state was
         * terminal ({@link Operation#isDone()}) at the call. One that looked still running then and
         * ended by itself answers {@link #TOO_LATE}.
         */
        NOT_FOUND
    }
}
