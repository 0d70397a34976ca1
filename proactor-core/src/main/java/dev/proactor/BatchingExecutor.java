package dev.proactor;

import java.util.concurrent.Executor;

/**
 * A handler executor ({@link ProactorConfig.Builder#handlerExecutor}) that takes a dispatcher loop
 * turn's completions as one batch, as the proactor's own worker pool does: the dispatcher queues
 * each of the turn's hand-offs with {@link #enqueue}, then calls {@link #flush} once, so the
 * executor wakes at most one thread per turn rather than one per completion. On one CPU a wake-up
 * per completion lets the woken thread preempt the dispatcher for every single handler, two
 * context switches each.
 *
 * <p>{@link #enqueue} and {@link #flush} are called on the proactor's dispatcher thread only, and
 * must not block; every other hand-off (from any other thread) comes through {@link #execute},
 * which must run the task as any executor does.
 */
public interface BatchingExecutor extends Executor {

    /**
     * Queues {@code task} without waking a thread for it; {@link #flush} follows once the turn's
     * other hand-offs are queued.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the executor takes no more tasks
     *     (the proactor then runs the task on a thread of its own)
     */
    void enqueue(Runnable task);

    /** Makes sure the tasks queued since the last call run: wakes a thread if none is awake to find them. */
    void flush();
}
