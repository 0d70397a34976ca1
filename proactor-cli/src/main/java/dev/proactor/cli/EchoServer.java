package dev.proactor.cli;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import dev.proactor.OperationCancelledException;
import dev.proactor.OperationFailedException;
import dev.proactor.Proactor;
import dev.proactor.ProactorClosedException;
import dev.proactor.ProactorException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The echo server's loops, all in completion handlers. One accept is pending at a time; its
 * handler starts the connection and initiates the next accept. Each connection runs
 * read, then write everything read, then read again, with one direct buffer of
 * {@value #BUFFER_SIZE} bytes; it ends at end of stream or the first failure.
 *
 * <p>With a connection limit, no accept is pending while the limit is reached: further clients
 * wait in the kernel's listen backlog, and the next accept starts when a connection closes.
 * {@link #maybeAccept()} is the one place that decides; it may be called from any thread.
 */
final class EchoServer {
    static final int BUFFER_SIZE = 64 * 1024;
    /** Pause after a failed accept (such as EMFILE) so that a persistent failure does not spin. */
    private static final Duration ACCEPT_RETRY_DELAY = Duration.ofMillis(100);

    private final Proactor proactor;
    private final AsyncServerSocket listener;
    private final int maxConnections;
    private final PrintWriter err;
    private final Set<AsyncSocket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicBoolean accepting = new AtomicBoolean();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean stopping;

    EchoServer(Proactor proactor, AsyncServerSocket listener, int maxConnections, PrintWriter err) {
        this.proactor = proactor;
        this.listener = listener;
        this.maxConnections = maxConnections <= 0 ? Integer.MAX_VALUE : maxConnections;
        this.err = err;
    }

    void start() {
        maybeAccept();
    }

    /** Connections accepted so far. */
    long accepted() {
        return accepted.get();
    }

    /** Stops accepting and closes every connection; their pending operations end cancelled. */
    void stop() {
        stopping = true;
        listener.close();
        for (AsyncSocket s : open) {
            s.close();
        }
    }

    /**
     * Initiates an accept unless one is pending, the limit is reached or the server is stopping.
     * After declining for the limit it looks again, since a connection may have closed meanwhile
     * and found {@code accepting} still set.
     */
    private void maybeAccept() {
        while (!stopping && accepting.compareAndSet(false, true)) {
            if (active.get() < maxConnections) {
                listener.accept().onComplete(this::accepted);
                return;
            }
            accepting.set(false);
            if (active.get() >= maxConnections) {
                return;
            }
        }
    }

    private void accepted(AsyncSocket socket, ProactorException failure) {
        if (failure != null) {
            accepting.set(false);
            if (stopping || failure instanceof OperationCancelledException || failure instanceof ProactorClosedException) {
                return;
            }
            report("accept failed: " + failure.getMessage());
            proactor.timer(ACCEPT_RETRY_DELAY).onComplete((v, f) -> maybeAccept());
            return;
        }
        accepted.incrementAndGet();
        active.incrementAndGet();
        open.add(socket);
        if (stopping) {
            socket.close(); // raced with stop(): it may have missed this one
        }
        accepting.set(false);
        maybeAccept();
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
        if (failure instanceof OperationFailedException f && !stopping
                && !f.errnoName().equals("ECONNRESET") && !f.errnoName().equals("EPIPE")) {
            report(socket.remoteAddress() + ": " + f.getMessage());
        }
        socket.close().onComplete((v, f) -> {
            open.remove(socket);
            active.decrementAndGet();
            maybeAccept();
        });
    }

    private void report(String line) {
        synchronized (err) {
            err.println("proactor echo: " + line);
            err.flush();
        }
    }
}
