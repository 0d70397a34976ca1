package dev.proactor.nio2;

import java.nio.channels.CompletionHandler;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs a {@link CompletionHandler} the way the JDK's {@code sun.nio.ch.Invoker} does: directly on
 * the calling thread when that thread belongs to the channel's group, else handed to the group's
 * pool. Direct calls nest (a handler that initiates an operation which fails at once runs the
 * next handler inside itself), so they are bounded: after {@link #MAX_DIRECT_DEPTH} nested calls on
 * one thread the next one is dispatched, which unwinds the stack. The JDK uses the same bound
 * ({@code sun.nio.ch.maxCompletionHandlersOnStack}, default 16): deep enough that a chain of
 * immediate completions rarely pays a hand-off, shallow enough that no stack overflows.
 *
 * <p>Any thread may call it; the group's threads are its {@link HandlerPool}'s, which keeps each
 * one's depth.
 */
final class HandlerInvoker {

    /** The most handler calls nested on one thread's stack before the next is dispatched. */
    static final int MAX_DIRECT_DEPTH = 16;

    private HandlerInvoker() {}

    /**
     * Delivers an outcome to {@code handler}: {@code failure} null means completed with
     * {@code result}. Direct on a thread of {@code pool} (a group's) below the bound, else dispatched.
     *
     * @throws ShutdownChannelGroupException when it must be dispatched and the group's pool
     *     refuses (the group has terminated), as the JDK's provider throws
     */
    static <V, A> void invoke(HandlerPool pool, CompletionHandler<V, ? super A> handler, A attachment,
            V result, Throwable failure) {
        int depth = pool.depth();
        if (depth >= 0 && depth < MAX_DIRECT_DEPTH) {
            pool.addDepth(1);
            try {
                call(handler, attachment, result, failure);
            } finally {
                pool.addDepth(-1);
            }
            return;
        }
        try {
            pool.execute(() -> call(handler, attachment, result, failure));
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
