package dev.proactor.nio2;

import dev.proactor.Operation;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One NIO.2 operation's outcome, settled in one place: the first of completed, failed and cancelled
 * wins, later attempts are no-ops (the JDK's {@code PendingFuture} has the same role). It is the
 * {@link Future} the Future forms return, and for the handler forms it delivers the outcome to the
 * {@link CompletionHandler} through {@link HandlerInvoker}, exactly once.
 *
 * <p>Cancelling the Future (only the Future forms can) tells the channel first, which forbids
 * further reads or writes as the JDK does (the bytes of a cancelled transfer are unknown), then asks
 * the proactor to cancel its operation, and closes the channel when {@code mayInterruptIfRunning}.
 * The buffer stays the kernel's until the proactor's operation ends, so a caller must not reuse it.
 *
 * @param <V> the result type
 * @param <A> the attachment type
 */
final class PendingIo<V, A> implements Future<V> {

    /** What a channel does when a Future of its is cancelled. */
    interface CancelListener {
        /** Called once, by the thread whose {@link Future#cancel} won. */
        void cancelled(PendingIo<?, ?> io, boolean mayInterruptIfRunning);
    }

    private final ProactorChannelGroup group;
    private final CompletionHandler<V, ? super A> handler;
    private final A attachment;
    private final CancelListener onCancel;
    private final CompletableFuture<V> outcome = new CompletableFuture<>();
    private volatile Operation<?> operation;

    private PendingIo(ProactorChannelGroup group, CompletionHandler<V, ? super A> handler, A attachment,
            CancelListener onCancel) {
        this.group = group;
        this.handler = handler;
        this.attachment = attachment;
        this.onCancel = onCancel;
    }

    /** For a Future form: cancelling it calls {@code onCancel}. */
    static <V> PendingIo<V, Void> future(ProactorChannelGroup group, CancelListener onCancel) {
        return new PendingIo<>(group, null, null, onCancel);
    }

    /** For a handler form; {@code handler} must not be null. */
    static <V, A> PendingIo<V, A> handler(ProactorChannelGroup group, CompletionHandler<V, ? super A> handler,
            A attachment) {
        if (handler == null) {
            throw new NullPointerException("'handler' is null");
        }
        return new PendingIo<>(group, handler, attachment, null);
    }

    /** The proactor operation that performs it, cancelled when the Future is. */
    void operation(Operation<?> op) {
        this.operation = op;
        if (outcome.isCancelled()) {
            op.cancel();
        }
    }

    /** Whether the outcome is settled. */
    boolean settled() {
        return outcome.isDone();
    }

    void complete(V result) {
        if (outcome.complete(result) && handler != null) {
            HandlerInvoker.invoke(group, handler, attachment, result, null);
        }
    }

    void fail(Throwable failure) {
        if (outcome.completeExceptionally(failure) && handler != null) {
            HandlerInvoker.invoke(group, handler, attachment, null, failure);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!outcome.cancel(false)) {
            return false;
        }
        if (onCancel != null) {
            onCancel.cancelled(this, mayInterruptIfRunning);
        }
        Operation<?> op = operation;
        if (op != null) {
            op.cancel();
        }
        return true;
    }

    @Override
    public boolean isCancelled() {
        return outcome.isCancelled();
    }

    @Override
    public boolean isDone() {
        return outcome.isDone();
    }

    @Override
    public V get() throws InterruptedException, ExecutionException {
        return HelpingWait.get(group.pool(), outcome);
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return HelpingWait.get(group.pool(), outcome, timeout, unit);
    }
}
