package dev.proactor;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * An asynchronous operation that has been initiated. Every method is safe to call from any thread.
 *
 * <p>Buffers given to the operation belong to it until it ends: the caller must not read, write or
 * release them before a handler runs, {@link #await()} returns or {@link #stage()} completes. They
 * are handed back only after the kernel is done with them, even when the operation was cancelled
 * long before.
 *
 * @param <T> the result type
 */
public interface Operation<T> {

    /** A number unique within the proactor, for logs and the operation table. */
    long id();

    /** What the operation does. */
    OperationKind kind();

    /** The current state; terminal states are final. */
    OperationState state();

    /** Whether the operation has ended and its outcome is visible. */
    default boolean isDone() {
        return state().isTerminal();
    }

    /**
     * The result of a completed operation.
     *
     * @throws IllegalStateException if the operation has not ended or did not complete
     */
    T resultNow();

    /**
     * The failure of an operation that ended without completing.
     *
     * @throws IllegalStateException if the operation has not ended or completed
     */
    ProactorException failureNow();

    /**
     * Adds a handler, run once with the final outcome on a worker thread. A handler added after the
     * operation ended still runs, on a worker, never on the calling thread.
     */
    Operation<T> onComplete(ResultHandler<? super T> handler);

    /**
     * A read-only view of the outcome: it completes with the result, or exceptionally with the
     * {@link ProactorException}, once the operation has ended, that is once {@link #state()} is
     * terminal and the kernel has given the operation's buffers back. Every call returns a view of
     * the same outcome, and nothing a caller does to it can complete it early or change what another
     * caller sees. Dependent actions run on the worker that completes it unless an async variant
     * says otherwise; one added after it completed runs on the calling thread.
     *
     * <p>{@link CompletionStage#toCompletableFuture()} returns an independent copy, new at each
     * call: completing, cancelling or timing out the copy ({@code orTimeout}) affects the copy
     * alone, never the operation. The view itself is a {@link java.util.concurrent.Future} whose
     * {@code cancel} does nothing and returns false, and whose methods that would complete it
     * ({@code complete}, {@code orTimeout} and the like) throw {@link UnsupportedOperationException}.
     * To cancel the operation call {@link #cancel()}; to bound a wait use {@link #await(Duration)},
     * or give the operation a deadline by initiating it through a {@code withTimeout} view (such as
     * {@link AsyncFile#withTimeout}), which ends it as timed out.
     */
    CompletionStage<T> stage();

    /**
     * Waits for the outcome. On a virtual thread this parks without pinning the carrier, so
     * sequential code gets asynchronous I/O underneath.
     *
     * <p>A handler on one of the proactor's own workers may wait, but holds that worker while it
     * does: the outcome is delivered on a worker, so when every worker waits, nothing is delivered
     * until one of them stops. On the only worker ({@code workerThreads(1)}) that is certain, and the
     * call is refused, every time, whether or not the outcome is already known.
     *
     * @throws ProactorException the operation's failure
     * @throws InterruptedException if the waiting thread is interrupted; the operation goes on
     * @throws IllegalStateException when called on a dispatcher thread (from an inline handler),
     *     which must never block, or on the only worker of this operation's proactor, which would wait
     *     for itself
     */
    T await() throws ProactorException, InterruptedException;

    /**
     * Waits at most {@code timeout} for the outcome.
     *
     * @throws ProactorException the operation's failure
     * @throws java.util.concurrent.TimeoutException if the wait ran out; the operation goes on
     * @throws InterruptedException if the waiting thread is interrupted; the operation goes on
     * @throws IllegalStateException when called on a dispatcher thread or the only worker, as for
     *     {@link #await()}
     */
    T await(Duration timeout)
            throws ProactorException, InterruptedException, java.util.concurrent.TimeoutException;

    /**
     * Asks for the operation to be cancelled. The returned stage completes with the final outcome
     * only after the kernel has released the operation's memory: {@link CancelResult.Kind#CANCELLED}
     * when the cancellation ended it, {@link CancelResult.Kind#TOO_LATE} when it ended anyway
     * (its outcome is then the operation's own), {@link CancelResult.Kind#NOT_FOUND} when it had
     * visibly ended already when this method was called ({@link #isDone()} was true). An operation
     * that ends by itself while the request is on its way, even one whose completion the dispatcher
     * had already taken but not yet delivered, answers {@code TOO_LATE}, never {@code NOT_FOUND}.
     * Calling it again is harmless.
     */
    CompletionStage<CancelResult> cancel();
}
