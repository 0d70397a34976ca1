package dev.proactor;

/**
 * Called once when an operation ends, on a worker thread of the proactor's handler executor (on the
 * dispatcher thread only when the proactor was configured with inline handlers).
 *
 * <p>Exactly one of {@code result} and {@code failure} is meaningful: {@code failure} is null when
 * the operation completed. A cancelled operation fails with {@link OperationCancelledException}, an
 * expired deadline with {@link OperationTimeoutException}. A handler that throws is reported to the
 * proactor's {@link HandlerFailurePolicy}; the dispatcher keeps running.
 *
 * <p>Not {@code java.nio.channels.CompletionHandler}, whose two callbacks and attachment this is
 * not: one callback, the outcome in two arguments, so that a lambda serves.
 *
 * @param <T> the operation's result type
 */
@FunctionalInterface
public interface ResultHandler<T> {
    /** Receives the final outcome. */
    void completed(T result, ProactorException failure);
}
