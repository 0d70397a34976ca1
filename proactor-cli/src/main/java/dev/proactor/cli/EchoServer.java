package dev.proactor.cli;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.OperationFailedException;
import dev.proactor.Proactor;
import dev.proactor.ProactorException;
import dev.proactor.cli.net.AcceptLoop;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 */
final class EchoServer {

    private final AcceptLoop acceptor;
    private final PrintWriter err;
    private final Set<AsyncSocket> open = ConcurrentHashMap.newKeySet();

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
        for (AsyncSocket s : open) {
            s.closeAsync();
        }
    }

    private void accepted(AsyncSocket socket) {
        open.add(socket);
        if (acceptor.isStopped()) {
            socket.closeAsync(); // raced with stop(): it may have missed this one
        }
        socket.receiveEach(chunk -> socket.writeAll(chunk.segment()).onComplete((w, f) -> {
            chunk.release();
            if (f != null) {
                // Ends the receive stream too (cancelled), whose completion then closes the socket.
                socket.closeAsync();
            }
        })).onComplete((total, failure) -> closed(socket, failure));
    }

    private void closed(AsyncSocket socket, ProactorException failure) {
        // A reset or broken pipe is the client's choice to leave; only odd failures are worth a line.
        if (failure instanceof OperationFailedException f && !acceptor.isStopped()
                && !f.errnoName().equals("ECONNRESET") && !f.errnoName().equals("EPIPE")) {
            report(socket.remoteAddress() + ": " + f.getMessage());
        }
        socket.closeAsync().onComplete((v, f) -> {
            open.remove(socket);
            acceptor.released();
        });
    }

    private void report(String line) {
        synchronized (err) {
            err.println("proactor echo: " + line);
            err.flush();
        }
    }
}
