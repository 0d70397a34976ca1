package dev.proactor;

/**
 * An operation that produces a stream of items (connections, received chunks) until it ends. As an
 * {@link Operation} it stands for the whole stream: it ends once, after the last item was handed
 * to the {@link StreamHandler}, and its handlers and stage then see the end's outcome. Its result
 * is what the stream delivered: connections for {@link AsyncServerSocket#acceptEach}, bytes for
 * {@link AsyncSocket#receiveEach}. {@link #cancel()} ends it as any operation's cancel does: the
 * stage completes only after the kernel gave back everything it held for the stream.
 *
 * <p>A stream counts as one operation against the in-flight limits however many items it
 * produces, and carries no deadline (a {@code withTimeout} view's timeout does not apply to it).
 * Every method is safe from any thread.
 */
public interface OperationStream extends Operation<Long> {

    /**
     * Stops asking the kernel for more items until {@link #resume()}: a connection limit, or a
     * consumer that wants a break. Items the kernel produced before the pause took effect are still
     * delivered. Idempotent.
     */
    void pause();

    /** Asks for items again after {@link #pause()}. Idempotent. */
    void resume();

    /** Whether {@link #pause()} is in force. */
    boolean isPaused();
}
