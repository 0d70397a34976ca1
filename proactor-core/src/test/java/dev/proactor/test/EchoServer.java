package dev.proactor.test;

import dev.proactor.AsyncServerSocket;
import dev.proactor.AsyncSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Echoes every byte back on each accepted connection, driven by completion handlers only (no
 * thread of its own): read, then write all of what was read, then read again; at end of stream it
 * closes the connection. Buffers alternate between heap and direct per connection.
 */
public final class EchoServer implements AutoCloseable {
    private final AcceptLoop accepts;
    private final int bufferSize;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger endedAtEof = new AtomicInteger();
    private final AtomicLong echoed = new AtomicLong();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();

    private EchoServer(AsyncServerSocket listener, int concurrentAccepts, int bufferSize) {
        this.bufferSize = bufferSize;
        this.accepts = AcceptLoop.start(listener, concurrentAccepts, this::serve);
    }

    /** Starts echoing on {@code listener} with {@code concurrentAccepts} accepts in flight. */
    public static EchoServer start(AsyncServerSocket listener, int concurrentAccepts, int bufferSize) {
        return new EchoServer(listener, concurrentAccepts, bufferSize);
    }

    private void serve(AsyncSocket socket) {
        int n = connections.incrementAndGet();
        ByteBuffer buf = n % 2 == 0 ? ByteBuffer.allocate(bufferSize) : ByteBuffer.allocateDirect(bufferSize);
        readNext(socket, buf);
    }

    private void readNext(AsyncSocket socket, ByteBuffer buf) {
        buf.clear();
        socket.read(buf).onComplete((n, failure) -> {
            if (failure != null) {
                failures.add("echo read on " + socket + " failed: " + failure);
                socket.closeAsync();
            } else if (n < 0) {
                socket.closeAsync().onComplete((v, f) -> {
                    if (f != null) {
                        failures.add("echo close of " + socket + " failed: " + f);
                    }
                    endedAtEof.incrementAndGet();
                });
            } else {
                buf.flip();
                socket.writeAll(buf).onComplete((w, f) -> {
                    if (f != null) {
                        failures.add("echo write on " + socket + " failed: " + f);
                        socket.closeAsync();
                    } else {
                        echoed.addAndGet(w);
                        readNext(socket, buf);
                    }
                });
            }
        });
    }

    /** The listener's address. */
    public java.net.SocketAddress address() {
        return accepts.listener().localAddress();
    }

    /** Bytes echoed so far. */
    public long echoed() {
        return echoed.get();
    }

    /** Waits until {@code count} connections have ended at end of stream and been closed. */
    public void awaitEnded(int count, Duration timeout) {
        Waits.until(timeout, () -> endedAtEof.get() >= count || !failures.isEmpty(),
                () -> endedAtEof.get() + " of " + count + " connections ended at EOF; accepted " + connections.get());
        if (!failures.isEmpty()) {
            throw new AssertionError("echo server failures: " + failures());
        }
    }

    /** Every failure the server saw: its accepts' and its connections'. */
    public List<String> failures() {
        List<String> all = new java.util.ArrayList<>(accepts.failures());
        all.addAll(failures);
        return all;
    }

    /** Closes the listener (the connections close at their end of stream). */
    @Override
    public void close() {
        accepts.close();
    }
}
