package dev.proactor.internal.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The operations pending on one file or socket, in the order they were taken in: what its close
 * waits for and cancels. Intrusive, so that taking an operation in allocates nothing (a
 * {@code HashSet} here was a map node per socket read or write, 11% of the bytes a fixed-response
 * HTTP request allocated): each operation links through fields of its own, those of
 * {@link OperationImpl} in its {@link OperationImpl#resource}'s set, and a {@link TransferOp}'s
 * second pair in its file's set, the one operation that is pending on two resources. Adding and
 * removing are O(1); removing one that is not in the set does nothing. Dispatcher-confined, as the
 * rest of a resource's order ({@link ResourceOrder}).
 *
 * <p>The {@link Resource} is its own set (it extends this class): a set of its own would be one
 * more object, and a back reference, per idle connection.
 */
abstract sealed class PendingSet permits Resource {
    private OperationImpl<?> head;
    private OperationImpl<?> tail;
    private int size;

    /** What the descriptor is, for the message of a misuse. */
    abstract String describe();

    /** Appends {@code op}, which must not be in the set. */
    final void addPending(OperationImpl<?> op) {
        Links l = links(op);
        if (contains(op, l)) {
            throw new IllegalStateException(op + " is already pending on " + describe());
        }
        l.set(op, tail, null);
        if (tail == null) {
            head = op;
        } else {
            Links t = links(tail);
            t.set(tail, t.prev(tail), op);
        }
        tail = op;
        size++;
    }

    /** Takes {@code op} out; nothing if it is not in the set. */
    final void removePending(OperationImpl<?> op) {
        Links l = links(op);
        if (!contains(op, l)) {
            return;
        }
        OperationImpl<?> prev = l.prev(op);
        OperationImpl<?> next = l.next(op);
        if (prev == null) {
            head = next;
        } else {
            Links p = links(prev);
            p.set(prev, p.prev(prev), next);
        }
        if (next == null) {
            tail = prev;
        } else {
            Links n = links(next);
            n.set(next, prev, n.next(next));
        }
        l.set(op, null, null);
        size--;
    }

    final boolean nonePending() {
        return size == 0;
    }

    final int pendingCount() {
        return size;
    }

    /** Runs {@code action} on each, oldest first; {@code action} must not change the set. */
    final void forEachPending(Consumer<OperationImpl<?>> action) {
        for (OperationImpl<?> op = head; op != null; op = links(op).next(op)) {
            action.accept(op);
        }
    }

    /** A copy, oldest first, that stays as it is while the set changes. */
    final List<OperationImpl<?>> pendingSnapshot() {
        List<OperationImpl<?>> all = new ArrayList<>(size);
        forEachPending(all::add);
        return all;
    }

    /** In the set: linked behind another, or its head (the one member with no predecessor). */
    private boolean contains(OperationImpl<?> op, Links l) {
        return l.prev(op) != null || head == op;
    }

    private Links links(OperationImpl<?> op) {
        if (op.resource == this) {
            return Links.OWN;
        }
        if (op instanceof TransferOp t && t.file == this) {
            return Links.FILE;
        }
        throw new IllegalArgumentException(op + " is not an operation on " + describe());
    }

    /** Which of an operation's two pairs of links. */
    private enum Links {
        /** {@link OperationImpl}'s own, in its resource's set. */
        OWN {
            @Override OperationImpl<?> prev(OperationImpl<?> op) { return op.pendingPrev; }
            @Override OperationImpl<?> next(OperationImpl<?> op) { return op.pendingNext; }
            @Override void set(OperationImpl<?> op, OperationImpl<?> prev, OperationImpl<?> next) {
                op.pendingPrev = prev;
                op.pendingNext = next;
            }
        },
        /** A transfer's second pair, in its file's set. */
        FILE {
            @Override OperationImpl<?> prev(OperationImpl<?> op) { return ((TransferOp) op).filePrev; }
            @Override OperationImpl<?> next(OperationImpl<?> op) { return ((TransferOp) op).fileNext; }
            @Override void set(OperationImpl<?> op, OperationImpl<?> prev, OperationImpl<?> next) {
                TransferOp t = (TransferOp) op;
                t.filePrev = prev;
                t.fileNext = next;
            }
        };

        abstract OperationImpl<?> prev(OperationImpl<?> op);
        abstract OperationImpl<?> next(OperationImpl<?> op);
        abstract void set(OperationImpl<?> op, OperationImpl<?> prev, OperationImpl<?> next);
    }
}
