package dev.proactor.internal.nio;

import dev.proactor.SocketOptions;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayDeque;

/**
 * Confined to the dispatcher thread: one non-blocking stream socket or listener of the portable
 * backend, its entry in the {@link ChannelTable}, and the operations waiting on it.
 *
 * <p>Operations wait in two FIFO queues, one per direction: inbound (receives, or accepts on a
 * listener) and outbound (sends, or the one connect of a socket still connecting). Only the head of
 * a queue is ever attempted, so several receives (or sends) pending on one socket take the stream
 * in the order they were submitted. The selection key is registered on the first wait and then
 * kept; its interest set is exactly "a queue is not empty" (OP_ACCEPT, OP_CONNECT, OP_READ,
 * OP_WRITE), recomputed after every attempt by {@link NioSockets}.
 */
final class NioSocket implements ChannelTable.Entry, NioBackend.ReadyHandler {
    /** A {@link ServerSocketChannel} or a {@link java.nio.channels.SocketChannel}, non-blocking. */
    final SelectableChannel channel;
    /** For a listener, the options its accepted sockets get; null for a socket. */
    final SocketOptions acceptOptions;
    private final NioSockets owner;

    /** The handle the table gave it; 0 until entered. */
    int handle;
    /** Registered on the first wait for readiness; null until then. */
    SelectionKey key;
    /** Receives, or accepts on a listener. */
    final ArrayDeque<NioOp> inbound = new ArrayDeque<>(2);
    /** Sends, or the connect of a socket still connecting. */
    final ArrayDeque<NioOp> outbound = new ArrayDeque<>(2);
    /** A connect is at the head of {@link #outbound}: wait for OP_CONNECT, not OP_WRITE. */
    boolean connecting;
    /** An operation joined an empty queue since the last attempt: try it on this loop turn. */
    boolean inboundNew;
    boolean outboundNew;
    /** On the owner's list of sockets with new operations. */
    boolean listed;
    /** Closed by a Close request, a failed connect or the backend's close; nothing is attempted after. */
    boolean closed;

    NioSocket(NioSockets owner, SelectableChannel channel, SocketOptions acceptOptions) {
        this.owner = owner;
        this.channel = channel;
        this.acceptOptions = acceptOptions;
    }

    boolean listener() {
        return channel instanceof ServerSocketChannel;
    }

    @Override
    public int ready(SelectionKey key) {
        return owner.ready(this, key.readyOps());
    }

    /**
     * Closes the channel. If it is registered with the selector, the JDK closes the descriptor
     * itself only when the key is deregistered, which the selector's next select does; the backend
     * makes sure one runs before it reports the close.
     */
    @Override
    public void close() throws IOException {
        closed = true;
        if (key != null) {
            key.cancel();
        }
        channel.close();
    }

    @Override
    public String toString() {
        return (listener() ? "listener " : "socket ") + handle;
    }
}
