package dev.proactor.nio2;

import dev.proactor.Operation;
import dev.proactor.ResultHandler;
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
 * <p>A Future form is settled where the proactor delivers its operation's outcome, on the
 * dispatcher thread ({@link HandlerPool#deliverDirect}): it has no handler, so no thread of the
 * pool is needed, and a {@code get} from outside the pool waits for the kernel only, not for a
 * pool thread too. So what a Future form's operation runs when it ends must be short and must not
 * block: a channel's state under its lock, then {@link #complete} or {@link #fail}. A Future is not
 * a {@code CompletionStage}, so a caller cannot attach code of its own to that thread.
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

    private final HandlerPool pool;
    private final CompletionHandler<V, ? super A> handler;
    private final A attachment;
    private final CancelListener onCancel;
    private final CompletableFuture<V> outcome = new CompletableFuture<>();
    private volatile Operation<?> operation;

    private PendingIo(HandlerPool pool, CompletionHandler<V, ? super A> handler, A attachment,
            CancelListener onCancel) {
        this.pool = pool;
        this.handler = handler;
        this.attachment = attachment;
        this.onCancel = onCancel;
    }

    /** For a Future form of a channel of {@code group}: cancelling it calls {@code onCancel}. */
    static <V> PendingIo<V, Void> future(ProactorChannelGroup group, CancelListener onCancel) {
        return future(group.pool(), onCancel);
    }

    /**
     * For a Future form whose operation's outcome {@code pool} is handed; {@code onCancel} may be
     * null (cancelling then only cancels the operation).
     */
    static <V> PendingIo<V, Void> future(HandlerPool pool, CancelListener onCancel) {
        return new PendingIo<>(pool, null, null, onCancel);
    }

    /** For a handler form; {@code handler} must not be null. */
    static <V, A> PendingIo<V, A> handler(ProactorChannelGroup group, CompletionHandler<V, ? super A> handler,
            A attachment) {
        if (handler == null) {
            throw new NullPointerException("'handler' is null");
        }
        return new PendingIo<>(group.pool(), handler, attachment, null);
    }

    /**
     * Starts settling this from {@code op}, the proactor operation that performs it (cancelled
     * when the Future is): {@code settle} is added as its handler and must end in {@link #complete}
     * or {@link #fail}. A Future form's operation is then marked for delivery on the dispatcher
     * ({@link HandlerPool#deliverDirect}), after the handler is added, so that one handed over
     * before the mark is delivered by the marking thread, with {@code settle} among its handlers.
     */
    <T> void start(Operation<T> op, ResultHandler<? super T> settle) {
        this.operation = op;
        if (outcome.isCancelled()) {
            op.cancel();
        }
        op.onComplete(settle);
        if (handler == null) {
            pool.deliverDirect(op);
        }
    }

    /** Whether the outcome is settled. */
    boolean settled() {
        return outcome.isDone();
    }

    void complete(V result) {
        forgetDirect();
        if (outcome.complete(result) && handler != null) {
            HandlerInvoker.invoke(pool, handler, attachment, result, null);
        }
    }

    void fail(Throwable failure) {
        forgetDirect();
        if (outcome.completeExceptionally(failure) && handler != null) {
            HandlerInvoker.invoke(pool, handler, attachment, null, failure);
        }
    }

    /** A Future form's operation a pool thread delivered after it was marked: the mark goes. */
    private void forgetDirect() {
        Operation<?> op = operation;
        if (handler == null && op != null) {
            pool.forgetDirect(op);
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
        return HelpingWait.get(pool, outcome);
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return HelpingWait.get(pool, outcome, timeout, unit);
    }
}
