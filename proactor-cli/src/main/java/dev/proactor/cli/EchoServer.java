package dev.proactor.cli;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.BufferLease;
import dev.proactor.OperationFailedException;
import dev.proactor.Proactor;
import dev.proactor.ProactorException;
import dev.proactor.ResultHandler;
import dev.proactor.StreamHandler;
import dev.proactor.cli.net.AcceptLoop;
import java.io.PrintWriter;

/**
 * The echo server's loops, all in completion handlers. Connections come from an
 * {@link AcceptLoop} (an accept stream while there is room, single accepts near the connection
 * limit; at the limit further clients wait in the kernel's listen backlog until a connection
 * closes). Each connection is one
 * {@code receiveEach}: every chunk received is written back from the buffer it arrived in and
 * released once that write ended. The proactor lends a receive buffer only while data waits (on
 * io_uring a multishot receive into the provided buffer ring), so an idle connection holds no
 * buffer, and its receive backlog bounds what a client that does not read its echo can pin: past
 * it the proactor stops receiving on that socket until the writes catch up. A connection ends at
 * end of stream or at its first failure.
 *
 * <p>Why not a loop of {@code reusableRead} and {@code reusableWriteAll}, which allocates nothing per
 * message: its read is pending while the connection waits, so it holds its buffer (16 KiB to echo
 * 16 KiB messages in one round) for every idle connection, twenty times what an idle connection
 * costs here; and a reusable write kept per connection is an operation object per idle connection
 * too (BENCHMARKS.md, idle connections).
 *
 * <p>What a connection costs while idle is its {@link Connection}, the socket and its receive
 * stream: the connection is the stream's handler, the handler of its end, and its own node in the
 * list of open connections that {@link #stop()} closes (a set would be one more map node each).
 */
final class EchoServer {

    private final AcceptLoop acceptor;
    private final PrintWriter err;
    /** The open connections, newest first; guarded by {@code this}. */
    private Connection newest;

    EchoServer(Proactor proactor, AsyncServerSocket listener, int maxConnections, PrintWriter err) {
        this.err = err;
        this.acceptor = new AcceptLoop(proactor, listener, maxConnections, this::accepted, this::report);
    }

    void start() {
        acceptor.start();
    }

    /** Connections accepted so far. */
    long accepted() {
        return acceptor.accepted();
    }

    /** Stops accepting and closes every connection; their pending operations end cancelled. */
    void stop() {
        acceptor.stop();
        java.util.List<AsyncSocket> open = new java.util.ArrayList<>();
        synchronized (this) {
            for (Connection c = newest; c != null; c = c.older) {
                open.add(c.socket);
            }
        }
        for (AsyncSocket s : open) {
            s.closeAsync();
        }
    }

    private void accepted(AsyncSocket socket) {
        Connection c = new Connection(this, socket);
        synchronized (this) {
            c.older = newest;
            if (newest != null) {
                newest.newer = c;
            }
            newest = c;
        }
        if (acceptor.isStopped()) {
            socket.closeAsync(); // raced with stop(): it may have missed this one
        }
        socket.receiveEach(c).onComplete(c);
    }

    private synchronized void unlink(Connection c) {
        if (c.newer != null) {
            c.newer.older = c.older;
        } else if (newest == c) {
            newest = c.older;
        }
        if (c.older != null) {
            c.older.newer = c.newer;
        }
        c.newer = null;
        c.older = null;
    }

    private void closed(Connection c, ProactorException failure) {
        AsyncSocket socket = c.socket;
        // A reset or broken pipe is the client's choice to leave; only odd failures are worth a line.
        if (failure instanceof OperationFailedException f && !acceptor.isStopped()
                && !f.errnoName().equals("ECONNRESET") && !f.errnoName().equals("EPIPE")) {
            report(socket.remoteAddress() + ": " + f.getMessage());
        }
        socket.closeAsync().onComplete((v, f) -> {
            unlink(c);
            acceptor.released();
        });
    }

    private void report(String line) {
        synchronized (err) {
            err.println("proactor echo: " + line);
            err.flush();
        }
    }

    /**
     * One open connection: the handler of its chunks and of its receive stream's end. Its links are
     * guarded by the server; chunks come one call at a time (the stream's order).
     */
    private static final class Connection implements StreamHandler<BufferLease>, ResultHandler<Long> {
        final EchoServer server;
        final AsyncSocket socket;
        Connection newer;
        Connection older;

        Connection(EchoServer server, AsyncSocket socket) {
            this.server = server;
            this.socket = socket;
        }

        /** A chunk: sent back from its own buffer, released once the write ended. */
        @Override
        public void next(BufferLease chunk) {
            socket.writeAll(chunk.segment()).onComplete((w, f) -> {
                chunk.release();
                if (f != null) {
                    // Ends the receive stream too (cancelled), whose completion then closes the socket.
                    socket.closeAsync();
                }
            });
        }

        /** The receive stream ended: end of stream, a failure, or the close. */
        @Override
        public void completed(Long total, ProactorException failure) {
            server.closed(this, failure);
        }
    }
}
