package dev.proactor.internal.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The dispatcher's inbox: any thread posts, only the dispatcher takes. Vyukov's intrusive
 * multi-producer single-consumer queue: a producer swaps its item in as the tail, then links the
 * previous tail to it; the consumer follows the links. Operations link through a field of their
 * own, so posting one allocates nothing; commands, which are rare, ride in a {@link Cmd} node.
 *
 * <p>An item taken stays the queue's head (its link field is written once more, when the next item
 * arrives) until the following take, which clears its link; an item is therefore posted at most
 * once at a time.
 */
final class Inbox {
    private static final VarHandle OP_NEXT;
    private static final VarHandle CMD_NEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            OP_NEXT = l.findVarHandle(OperationImpl.class, "inboxNext", Object.class);
            CMD_NEXT = l.findVarHandle(Cmd.class, "next", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A command in transit. */
    static final class Cmd {
        final Object command;
        Object next;

        Cmd(Object command) {
            this.command = command;
        }
    }

    private final AtomicReference<Object> tail;
    /** Consumer-only: the last item taken (or the initial stub). */
    private Object head;

    Inbox() {
        Cmd stub = new Cmd(null);
        head = stub;
        tail = new AtomicReference<>(stub);
    }

    /** Posts an operation (at most once per operation) or a command. Any thread. */
    void offer(Object item) {
        Object node = item instanceof OperationImpl<?> ? item : new Cmd(item);
        setNext(node, null, false);
        Object prev = tail.getAndSet(node);
        // Release: the consumer that sees the link also sees everything written before the post.
        setNext(prev, node, true);
    }

    /**
     * Takes the oldest item, or null. Dispatcher only. May answer null while a producer is between
     * its swap and its link; {@link #isEmpty()} says false then, and the item appears on a later try.
     */
    Object poll() {
        Object prev = head;
        Object next = next(prev);
        if (next == null) {
            return null;
        }
        head = next;
        // The previous head is behind the tail now, so no producer writes its link again; cleared,
        // because a taken operation that lives on (a pending accept, a stream, a timer) would
        // otherwise keep every item posted after it reachable through the links: an unbounded
        // chain, promoted to the old generation and copied by every young collection.
        setNext(prev, null, false);
        return next instanceof Cmd c ? c.command : next;
    }

    /** Whether nothing has been posted that is not yet taken, counting posts still being linked. */
    boolean isEmpty() {
        return next(head) == null && tail.get() == head;
    }

    private static Object next(Object node) {
        return node instanceof Cmd ? CMD_NEXT.getAcquire(node) : OP_NEXT.getAcquire(node);
    }

    private static void setNext(Object node, Object value, boolean release) {
        if (node instanceof Cmd) {
            if (release) {
                CMD_NEXT.setRelease(node, value);
            } else {
                CMD_NEXT.set(node, value);
            }
        } else if (release) {
            OP_NEXT.setRelease(node, value);
        } else {
            OP_NEXT.set(node, value);
        }
    }
}
