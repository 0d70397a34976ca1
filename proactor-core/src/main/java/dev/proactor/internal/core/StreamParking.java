package dev.proactor.internal.core;

import dev.proactor.internal.core.OperationImpl.Place;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Streams between rounds: a stream (a multishot accept or receive, or its single-shot emulation)
 * that does not want its next round yet (paused by its handler, lagging behind it, or starved of
 * provided buffers) is parked here instead of being armed, and goes back to READY as soon as it
 * wants a round again. A round already in the kernel is stopped with a cancel the stream absorbs,
 * never with the stream's end. Dispatcher-confined.
 */
final class StreamParking {
    private final Dispatcher dispatcher;
    private final Set<StreamingOp<?>> parked = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Parked streams that ran out of provided buffers: re-armed when one is recycled, oldest first. */
    private final Set<StreamingOp<?>> starved = Collections.newSetFromMap(new LinkedHashMap<>());

    StreamParking(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** Stops a stream's round in the kernel with a cancel its end absorbs (a pause, a lag). */
    void stop(StreamingOp<?> op) {
        if (op.stopping || op.cancelRequested || !op.inKernel()) {
            return;
        }
        op.stopping = true;
        dispatcher.askCancel(op);
    }

    void park(StreamingOp<?> op) {
        op.moveTo(Place.PARKED);
        parked.add(op);
        if (op.starved) {
            starved.add(op);
        }
        op.parked();
    }

    /** Takes a parked stream out (it is being cancelled). */
    void remove(StreamingOp<?> op) {
        parked.remove(op);
        starved.remove(op);
    }

    private void unpark(StreamingOp<?> op) {
        if (op.place != Place.PARKED || !op.wantsArm()) {
            return;
        }
        remove(op);
        op.moveTo(Place.NOWHERE);
        dispatcher.enqueue(op, Place.READY);
    }

    /** Whether the backend has a provided buffer that no chunk holds. */
    boolean providedBufferFree() {
        return dispatcher.backend().providedBuffersLent() < dispatcher.backend().providedBufferCount();
    }

    /** A stream was paused or resumed. */
    void changed(Dispatcher.Command.Stream c) {
        armOrStop(c.op());
    }

    /** One of a receive stream's chunks was released: its buffer goes back, its backlog shrinks. */
    void chunkReleased(ReceiveEachOp op, int bufferId) {
        op.outstanding--;
        if (bufferId >= 0) {
            dispatcher.backend().recycle(bufferId);
            wakeStarved();
        }
        armOrStop(op);
    }

    /** Unparks a stream that wants a round again, or stops the round of one that no longer does. */
    private void armOrStop(StreamingOp<?> op) {
        if (op.finished()) {
            return;
        }
        if (op.wantsArm()) {
            unpark(op);
        } else if (op.inKernel()) {
            stop(op);
        }
    }

    /** A provided buffer came back: every stream parked for want of one tries again. */
    private void wakeStarved() {
        if (starved.isEmpty()) {
            return;
        }
        List<StreamingOp<?>> waiting = new ArrayList<>(starved);
        starved.clear();
        for (StreamingOp<?> op : waiting) {
            op.starved = false;
            unpark(op);
        }
    }

    /** Every parked stream, for listing and for the close. */
    Set<StreamingOp<?>> all() {
        return parked;
    }

    /** Forgets every parked stream (the close gave up on them). */
    void clear() {
        parked.clear();
        starved.clear();
    }
}
