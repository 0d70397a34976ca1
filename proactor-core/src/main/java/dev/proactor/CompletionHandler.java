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
 * @param <T> the operation's result type
 */
@FunctionalInterface
public interface CompletionHandler<T> {
    /** Receives the final outcome. */
    void completed(T result, ProactorException failure);
}
