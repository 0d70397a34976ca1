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
 * <p>The consumer's head is the oldest item not yet taken, or the stub (a node of the inbox's own)
 * when the queue was drained. A take moves the head past the item and clears the item's link; when
 * the item is the last one, the stub is posted behind it first, so that no producer can still link
 * to it (Vyukov's intrusive queue with its stub). An operation may therefore be posted again as soon
 * as it was taken, which a reusable operation's next run does; never twice at once.
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
    /** Posted behind the last item when it is taken; never taken itself. */
    private final Cmd stub = new Cmd(null);
    /** Consumer-only: the oldest item not yet taken, or {@link #stub}. */
    private Object head;

    Inbox() {
        head = stub;
        tail = new AtomicReference<>(stub);
    }

    /** Posts an operation (at most once per operation) or a command. Any thread. */
    void offer(Object item) {
        push(item instanceof OperationImpl<?> ? item : new Cmd(item));
    }

    /**
     * Posts a command in a node of the caller's, so that a command posted again and again allocates
     * nothing: as with an operation, the node is posted again only once it was taken, never twice at
     * once. Any thread.
     */
    void offerNode(Cmd node) {
        push(node);
    }

    private void push(Object node) {
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
        Object h = head;
        Object next = next(h);
        if (h == stub) {
            if (next == null) {
                return null;
            }
            setNext(stub, null, false);
            head = h = next;
            next = next(h);
        }
        if (next == null) {
            if (tail.get() != h) {
                return null;  // a producer is between its swap and its link to h
            }
            push(stub);
            next = next(h);  // the stub, or an item a producer swapped in just before it
            if (next == null) {
                return null;
            }
        }
        head = next;
        // h is behind the tail now, so no producer writes its link again; cleared, because a taken
        // operation that lives on (a pending accept, a stream, a timer) would otherwise keep every
        // item posted after it reachable through the links: an unbounded chain, promoted to the old
        // generation and copied by every young collection.
        setNext(h, null, false);
        return h instanceof Cmd c ? c.command : h;
    }

    /** Whether nothing has been posted that is not yet taken, counting posts still being linked. */
    boolean isEmpty() {
        Object h = head;
        return h == stub && next(h) == null && tail.get() == h;
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
