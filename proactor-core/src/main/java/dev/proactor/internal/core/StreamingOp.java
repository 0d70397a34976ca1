package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.OperationStream;
import dev.proactor.StreamHandler;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Errno;

/**
 * An operation that delivers a stream of items until it ends: one operation for the admission
 * limits, the ledger and the resource's pending set, however many kernel rounds and items it takes.
 *
 * <p>Rounds: on a backend that {@linkplain Backend#supportsMultishot supports it} one multishot
 * request produces many items ({@link #onItem}); elsewhere single-shot requests are armed one after
 * another ({@link #onResult} delivers and asks for the next round). Either way a round that ends
 * without ending the stream is re-armed, unless the stream does not {@link #wantsArm() want} to
 * be: then the dispatcher parks it until a command ({@link Dispatcher.Command.Stream}) says the
 * reason went away. A round in the kernel when the stream stops wanting (a pause, a handler that
 * lags) is stopped with a cancel the stream absorbs ({@link #stopping}), never with the stream's end.
 *
 * <p>Items are handed to the handler through a {@link SerialDelivery}, and so is the stream's own
 * end, after the last item. Life-cycle fields are dispatcher-confined like {@link OperationImpl}'s;
 * {@link #paused} is written by any thread.
 *
 * @param <T> the item type
 */
abstract class StreamingOp<T> extends OperationImpl<Long> implements OperationStream {
    final StreamHandler<? super T> handler;
    final SerialDelivery delivery;
    private volatile boolean paused;

    // ---- dispatcher-confined ----
    /** This stream's rounds are multishot requests; decided before each round. */
    boolean multishot;
    /** A cancel was sent to stop the round in the kernel; its cancelled end re-arms instead of ending. */
    boolean stopping;
    /** The backend ran out of provided buffers: parked until one is recycled. */
    boolean starved;

    StreamingOp(CoreProactor p, OperationKind kind, Resource resource, StreamHandler<? super T> handler) {
        super(p, kind, resource, null);
        this.handler = java.util.Objects.requireNonNull(handler, "handler");
        this.delivery = new SerialDelivery(p);
    }

    /** Whether the stream wants a round in the kernel now (dispatcher). */
    boolean wantsArm() {
        return !paused && !starved;
    }

    /**
     * Prepares the next round (dispatcher): picks single-shot or multishot and takes what the round
     * needs. Returns false when it cannot be armed now for want of a resource; the dispatcher tries
     * again shortly, unless the stream settled its end because it never can be.
     */
    boolean beforeRound(Backend backend) {
        multishot = backend.supportsMultishot(kind);
        return true;
    }

    /** The stream is parked (dispatcher): give back what an idle stream should not hold. */
    void parked() {}

    /** One result of a multishot round that stays in the kernel (dispatcher). */
    abstract void onItem(long result, Object attachment);

    /**
     * A failure the stream takes as a round's end rather than its own (dispatcher): the cancel that
     * stopped a round for a pause or a lag, or a backend out of provided buffers.
     */
    boolean absorbFailure(int errno) {
        if (cancelRequested) {
            return false;
        }
        if (stopping && (errno == Errno.ECANCELED || errno == Errno.EINTR)) {
            stopping = false;
            again();
            return true;
        }
        return false;
    }

    /** A round ended cancelled by {@link #stopping} alone: re-arm later rather than end (dispatcher). */
    boolean absorbCancel() {
        if (cancelRequested || !stopping) {
            return false;
        }
        stopping = false;
        again();
        return true;
    }

    /** Hands one item to the handler, in order. */
    final void deliver(SerialDelivery.Item item) {
        delivery.add(item);
    }

    /** Runs {@code h} on the item, reporting a throw to the failure policy. */
    final void call(T item) {
        try {
            handler.next(item);
        } catch (RuntimeException | Error e) {
            proactor.handlers().failed(this, e);
        }
    }

    @Override
    public final void pause() {
        if (!paused) {
            paused = true;
            proactor.streamChanged(this);
        }
    }

    @Override
    public final void resume() {
        if (paused) {
            paused = false;
            proactor.streamChanged(this);
        }
    }

    @Override
    public final boolean isPaused() {
        return paused;
    }
}
