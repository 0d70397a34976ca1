package dev.proactor.nio2;

import java.nio.channels.CompletionHandler;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs a {@link CompletionHandler} the way the JDK's {@code sun.nio.ch.Invoker} does: directly on
 * the calling thread when that thread belongs to the channel's group, else handed to the group's
 * executor. Direct calls nest (a handler that initiates an operation which fails at once runs the
 * next handler inside itself), so they are bounded: after {@link #MAX_DIRECT_DEPTH} nested calls on
 * one thread the next one is dispatched, which unwinds the stack. The JDK uses the same bound
 * ({@code sun.nio.ch.maxCompletionHandlersOnStack}, default 16): deep enough that a chain of
 * immediate completions rarely pays a hand-off, shallow enough that no stack overflows.
 *
 * <p>Any thread may call it; the mark that makes a thread a group thread is set only while the
 * group's executor runs one of the group's tasks ({@link #runMarked}).
 */
final class HandlerInvoker {

    /** The most handler calls nested on one thread's stack before the next is dispatched. */
    static final int MAX_DIRECT_DEPTH = 16;

    /** The group whose task the current thread runs, and how deep its direct calls are nested. */
    private static final ThreadLocal<Mark> CURRENT = new ThreadLocal<>();

    private static final class Mark {
        final ProactorChannelGroup group;
        int depth;

        Mark(ProactorChannelGroup group) {
            this.group = group;
        }
    }

    private HandlerInvoker() {}

    /** Runs a task of {@code group}'s on its executor's thread, marked as that group's thread. */
    static void runMarked(ProactorChannelGroup group, Runnable task) {
        Mark outer = CURRENT.get();
        CURRENT.set(new Mark(group));
        try {
            task.run();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /** Whether the calling thread is running one of {@code group}'s tasks. */
    static boolean onGroupThread(ProactorChannelGroup group) {
        Mark m = CURRENT.get();
        return m != null && m.group == group;
    }

    /**
     * Delivers an outcome to {@code handler}: {@code failure} null means completed with
     * {@code result}. Direct on a thread of {@code group} below the bound, else dispatched.
     *
     * @throws ShutdownChannelGroupException when it must be dispatched and the group's executor
     *     refuses (the group has terminated), as the JDK's provider throws
     */
    static <V, A> void invoke(ProactorChannelGroup group, CompletionHandler<V, ? super A> handler, A attachment,
            V result, Throwable failure) {
        Mark m = CURRENT.get();
        if (m != null && m.group == group && m.depth < MAX_DIRECT_DEPTH) {
            m.depth++;
            try {
                call(handler, attachment, result, failure);
            } finally {
                m.depth--;
            }
            return;
        }
        try {
            group.execute(() -> call(handler, attachment, result, failure));
        } catch (RejectedExecutionException e) {
            ShutdownChannelGroupException s = new ShutdownChannelGroupException();
            s.initCause(e);
            throw s;
        }
    }

    private static <V, A> void call(CompletionHandler<V, ? super A> handler, A attachment, V result,
            Throwable failure) {
        if (failure == null) {
            handler.completed(result, attachment);
        } else {
            handler.failed(failure, attachment);
        }
    }
}
