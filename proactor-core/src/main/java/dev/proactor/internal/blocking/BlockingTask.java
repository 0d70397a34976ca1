package dev.proactor.internal.blocking;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One blocking call for a {@link BlockingPool}, safe from any thread: the dispatcher that offers
 * and withdraws it races the pool thread that starts it, and the {@link State} they race on is
 * only changed by compare-and-set, so exactly one of them wins. The owner is the backend's own
 * record of the operation; the body runs on the pool thread with it, at most once.
 *
 * @param <T> the backend's record of the operation
 */
public final class BlockingTask<T> implements Runnable {

    /** Where the task is; the only moves are QUEUED to RUNNING (a pool thread) or to WITHDRAWN. */
    public enum State {
        /** Made, or waiting in the pool's queue: it may still be withdrawn. */
        QUEUED,
        /** A pool thread took it: it runs to its end, whatever happens meanwhile. */
        RUNNING,
        /** Taken back before it started (cancelled, timed out, or the pool shut down): it never runs. */
        WITHDRAWN
    }

    private final T owner;
    private final Consumer<? super T> body;
    private final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);

    /**
     * @param owner the operation the call is for, handed to {@code body}
     * @param body the blocking call, run on a pool thread
     */
    public BlockingTask(T owner, Consumer<? super T> body) {
        this.owner = Objects.requireNonNull(owner);
        this.body = Objects.requireNonNull(body);
    }

    public T owner() {
        return owner;
    }

    public State state() {
        return state.get();
    }

    /** Whether a pool thread has taken the task; once true it stays true. */
    public boolean started() {
        return state.get() == State.RUNNING;
    }

    /** Withdraws the task if no pool thread has started it; returns whether it had not. */
    public boolean withdraw() {
        return state.compareAndSet(State.QUEUED, State.WITHDRAWN);
    }

    /** On a pool thread: runs the body, unless the task was withdrawn first. */
    @Override
    public void run() {
        if (state.compareAndSet(State.QUEUED, State.RUNNING)) {
            body.accept(owner);
        }
    }

    @Override
    public String toString() {
        return "BlockingTask[" + owner + ", " + state.get() + "]";
    }
}
