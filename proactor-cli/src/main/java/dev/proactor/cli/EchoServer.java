package dev.proactor.cli;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.OperationFailedException;
import dev.proactor.Proactor;
import dev.proactor.ProactorException;
import dev.proactor.cli.net.AcceptLoop;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The echo server's loops, all in completion handlers. Connections come from an
 * {@link AcceptLoop} (one accept pending at a time; at the connection limit further clients wait
 * in the kernel's listen backlog until a connection closes). Each connection runs read, then write
 * everything read, then read again, with one direct buffer of {@value #BUFFER_SIZE} bytes; it ends
 * at end of stream or the first failure.
 */
final class EchoServer {
    static final int BUFFER_SIZE = 64 * 1024;

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
        read(socket, ByteBuffer.allocateDirect(BUFFER_SIZE));
    }

    private void read(AsyncSocket socket, ByteBuffer buffer) {
        socket.read(buffer.clear()).onComplete((n, failure) -> {
            if (failure != null || n < 0) {
                closed(socket, failure);
            } else {
                socket.writeAll(buffer.flip()).onComplete((w, f) -> {
                    if (f != null) {
                        closed(socket, f);
                    } else {
                        read(socket, buffer);
                    }
                });
            }
        });
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
