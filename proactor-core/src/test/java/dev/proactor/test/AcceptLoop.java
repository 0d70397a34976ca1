package dev.proactor.test;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.Operation;
import dev.proactor.OperationCancelledException;
import dev.proactor.ProactorClosedException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Accepts connections on a listener for as long as it is open, driven by completion handlers: each
 * accept's handler hands the connection on and starts the next accept. {@link #close()} closes the
 * listener, which ends the pending accepts (cancelled). Failures other than that end are recorded
 * for the test to assert on.
 */
public final class AcceptLoop implements AutoCloseable {
    private final AsyncServerSocket listener;
    private final Consumer<AsyncSocket> onConnection;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean closing;

    private AcceptLoop(AsyncServerSocket listener, Consumer<AsyncSocket> onConnection) {
        this.listener = listener;
        this.onConnection = onConnection;
    }

    /** Starts {@code concurrency} accepts in flight on {@code listener}, each re-armed by its handler. */
    public static AcceptLoop start(AsyncServerSocket listener, int concurrency, Consumer<AsyncSocket> onConnection) {
        AcceptLoop loop = new AcceptLoop(listener, onConnection);
        for (int i = 0; i < concurrency; i++) {
            loop.acceptNext();
        }
        return loop;
    }

    private void acceptNext() {
        Operation<AsyncSocket> accept = listener.accept();
        accept.onComplete((socket, failure) -> {
            if (failure == null) {
                accepted.incrementAndGet();
                onConnection.accept(socket);
                if (!closing) {
                    acceptNext();
                }
            } else if (!(closing && (failure instanceof OperationCancelledException
                    || failure instanceof ProactorClosedException))) {
                failures.add("accept " + accept.id() + " failed: " + failure);
            }
        });
    }

    /** How many connections were accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Failures of accepts other than the cancellation by {@link #close()}. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** The listener accepted from. */
    public AsyncServerSocket listener() {
        return listener;
    }

    /** Closes the listener, ending its pending accepts, and waits for the close. */
    @Override
    public void close() {
        closing = true;
        Ops.result(listener.closeAsync());
    }
}
