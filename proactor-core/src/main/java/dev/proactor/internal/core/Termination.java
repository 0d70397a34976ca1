package dev.proactor.internal.core;

import dev.proactor.OperationInfo;
import dev.proactor.OperationState;
import dev.proactor.ProactorClosedException;
import dev.proactor.internal.core.OperationImpl.Place;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The proactor's termination: what {@code Proactor.close()} sets off, as the dispatcher runs it.
 * (In the core, "close" is a file's or socket's close, {@code CloseOp}; the proactor's own end is
 * its termination, so that the two are never confused.) RUNNING until asked, then DRAINING (new work is
 * refused by the proactor, what is live may end on its own until the close's deadline), then
 * CANCELLING (everything but closes is cancelled, open files and sockets are closed, and the
 * kernel gets a grace period to give back what it holds), then DONE. Whatever the kernel still
 * holds after the grace period is abandoned: failed for its caller, its memory kept (never freed)
 * because the kernel may still write to it. Dispatcher-confined.
 */
final class Termination {
    /** How long cancelled operations get to come back from the kernel during close. */
    private static final long CANCEL_GRACE_NANOS = Duration.ofSeconds(1).toNanos();

    private enum Phase { RUNNING, DRAINING, CANCELLING, DONE }

    private final Dispatcher dispatcher;
    private Phase phase = Phase.RUNNING;
    private long closeDeadline;
    private long cancelDeadline;
    private int finishedDuringDrain;
    private int cancelledByClose;
    private final List<OperationInfo> abandoned = new ArrayList<>();
    private boolean keepPool;

    Termination(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** Not closing: a transient failure may be retried, a stream keeps its order. */
    boolean running() {
        return phase == Phase.RUNNING;
    }

    /** Cancelling what is left: nothing but a close gets another round. */
    boolean cancelling() {
        return phase == Phase.CANCELLING;
    }

    /**
     * An operation finished; counted for the close report while draining, and from the moment the
     * close was asked for: an operation can end between {@code close()} refusing new ones and this
     * loop taking the close's command, and it ended while the close waited all the same.
     */
    void finished() {
        if (phase == Phase.DRAINING || phase == Phase.RUNNING && dispatcher.closeAsked()) {
            finishedDuringDrain++;
        }
    }

    /** Bounds the backend's wait by the close's next step ({@code wait} negative: no bound yet). */
    long bound(long now, long wait) {
        long step = switch (phase) {
            case DRAINING -> closeDeadline;
            case CANCELLING -> cancelDeadline;
            case RUNNING, DONE -> 0;
        };
        if (step == 0) {
            return wait;
        }
        long d = Math.max(0, step - now);
        return wait < 0 ? d : Math.min(wait, d);
    }

    /** The close was asked for: drain until {@code deadlineNanos}. */
    void begin(long deadlineNanos) {
        if (phase == Phase.RUNNING) {
            phase = Phase.DRAINING;
            closeDeadline = deadlineNanos;
        }
    }

    /** Moves the close along (dispatcher, every turn while closing); true when the loop may stop. */
    boolean advance(long now) {
        if (phase == Phase.DRAINING && (dispatcher.live() == 0 || now - closeDeadline >= 0)) {
            phase = Phase.CANCELLING;
            cancelDeadline = now + CANCEL_GRACE_NANOS;
            cancelEverything();
            dispatcher.proactor().closeOpenResources();
            // Fall through: with nothing live and nothing posted, the close is done now, not after
            // the grace period.
        }
        if (phase == Phase.CANCELLING) {
            if (dispatcher.live() == 0 && dispatcher.inboxEmpty()) {
                phase = Phase.DONE;
                return true;
            }
            if (now - cancelDeadline >= 0) {
                abandonAll();
                phase = Phase.DONE;
                return true;
            }
        }
        return false;
    }

    private void cancelEverything() {
        List<OperationImpl<?>> all = dispatcher.queued();
        dispatcher.table().forEach(all::add);
        for (OperationImpl<?> op : all) {
            // A close is never cancelled: cancelling it could leave the descriptor open.
            if (!op.finished() && !op.cancelRequested && !(op instanceof CloseOp)) {
                cancelledByClose++;
                dispatcher.cancel(op, "proactor closed");
            }
        }
    }

    private void abandonAll() {
        List<OperationImpl<?>> stuck = new ArrayList<>();
        dispatcher.table().forEach(stuck::add);
        for (OperationImpl<?> op : stuck) {
            op.abandoned = true;
            keepPool = true;
            abandoned.add(Dispatcher.info(op, System.nanoTime()));
            op.moveTo(Place.NOWHERE);
            op.settleWith(OperationState.FAILED, new ProactorClosedException(op.kind, op.resource(),
                    "proactor closed while the kernel still held the operation", op.bytesDone));
            dispatcher.finish(op);
        }
        List<OperationImpl<?>> rest = dispatcher.takeQueued();
        for (OperationImpl<?> op : rest) {
            if (op.place == Place.BACKLOG) {
                dispatcher.proactor().admission().dequeued();
            }
            op.moveTo(Place.NOWHERE);
            op.settleWith(OperationState.FAILED,
                    new ProactorClosedException(op.kind, op.resource(), "proactor closed", op.bytesDone));
            dispatcher.finish(op);
        }
    }

    /** The loop failed: everything still pending fails now, whatever the kernel holds is abandoned. */
    void emergencyStop() {
        phase = Phase.CANCELLING;
        abandonAll();
    }

    /** What the dispatcher reports when it stops. */
    record Outcome(int finishedDuringDrain, int cancelled, List<OperationInfo> abandoned, boolean keepPool,
            long quarantinedBytes) {}

    /** The report once the backend is closed, with the native bytes it had to keep. */
    Outcome outcome(long quarantinedBytes) {
        return new Outcome(finishedDuringDrain, cancelledByClose, List.copyOf(abandoned), keepPool, quarantinedBytes);
    }
}
