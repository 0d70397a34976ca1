package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Request;

/**
 * Closes a descriptor: a file's, once every other operation on the file has ended, or an orphan
 * opened by an operation cancelled too late. A failed close still leaves the descriptor closed
 * (close(2) releases it whatever it reports), so the file counts as closed either way.
 *
 * <p>A close is never cancelled once initiated: the dispatcher ignores a cancel of it, in whatever
 * queue it waits (for the file's other operations to end, or for the kernel), so that it always ends
 * with the descriptor closed. Its canceller is answered {@code COMPLETED} when it ends (or
 * {@code NOT_FOUND} if it had ended already). Ending a close early would leave the descriptor open
 * with nothing left to close it: the resource already refuses new operations and its one close
 * operation, and the proactor's own close skips a resource whose close was initiated.
 */
final class CloseOp extends OperationImpl<Void> {
    private final Request.Close request;
    /** What the orphan descriptor was, for errors and listings; null for a resource's own close. */
    private final String orphan;
    /** The operations this close ended (dispatcher); their outcomes are published before its own. */
    java.util.List<OperationImpl<?>> ended = java.util.List.of();

    CloseOp(CoreProactor p, Resource r) {
        super(p, OperationKind.CLOSE, r, null);
        this.request = new Request.Close(r.fd);
        this.orphan = null;
    }

    CloseOp(CoreProactor p, int fd, String orphan) {
        super(p, OperationKind.CLOSE, null, null);
        this.request = new Request.Close(fd);
        this.orphan = orphan;
    }

    @Override
    String resource() {
        return orphan != null ? orphan : super.resource();
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    void onResult(long result, Object attachment) {
        succeed(null);
    }

    /**
     * Whoever sees the close complete must see the operations it ended as ended: their outcomes
     * were handed to the workers before this one, and are waited for here (bounded).
     */
    @Override
    void beforeDelivery() {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        for (OperationImpl<?> op : ended) {
            op.awaitDelivered(deadline);
        }
    }

    @Override
    void afterKernel() {
        // Only a close that reached the kernel released the descriptor; one failed before it (the
        // proactor stopped first) leaves the file open.
        if (resource != null && attempts > 0 && outcome != dev.proactor.OperationState.CANCELLED) {
            proactor.resourceClosed(resource);
        }
    }
}
