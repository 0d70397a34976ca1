package dev.proactor;

/**
 * An operation that can be initiated again once its run has been delivered, so that a loop of
 * operations allocates nothing per operation: the object, its handler and its place in the
 * dispatcher's queues are used again. Every method is safe to call from any thread.
 *
 * <p>A run is one initiation, from {@link #restart()} (or the method that made the operation) to
 * its delivery: its handler has returned, {@link #await()} returns and {@link #stage()} completes.
 * The handler given when the operation was made runs once per run, where handlers run; handlers
 * added with {@link #onComplete} run for the current run only. Between runs the {@link Operation}
 * methods describe the last run; {@link #id()} is new with every run, and a stage taken during a run
 * completes with that run's outcome. {@link #cancel()} applies to the run in progress when the
 * dispatcher receives the request.
 *
 * <p>Memory the kernel may still write to is never reused: a run is delivered only after the
 * kernel's last completion for it, and only then may the next one begin.
 *
 * @param <T> the result type
 */
public interface ReusableOperation<T> extends Operation<T> {

    /**
     * Initiates the next run. Called from the operation's own handler, or from another thread while
     * that handler runs (a handler on another worker, of an operation the handler initiated), the run
     * begins as the delivery ends (after the other handlers of the run, its stage and its waiters);
     * called once the run was delivered, at once. The outcome of a run the proactor refuses (closed,
     * admission) is delivered as any operation's is, to the handler.
     *
     * @return this operation
     * @throws IllegalStateException if the previous run's delivery has not begun yet, or the next run
     *     was already asked for
     */
    ReusableOperation<T> restart();
}
