package dev.proactor.bench.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The load generator: {@code connections} closed ping-pong loops driven by one thread over one NIO
 * selector. Each loop sends a message of {@code size} bytes, waits until all of it has come back,
 * records the round trip in an HdrHistogram (nanoseconds) and sends the next. One thread keeps the
 * generator on one CPU when the harness is pinned, and costs no thread hand-off per message.
 *
 * <p>Closed loop: a slow reply delays the next request of that connection, so the histogram has
 * coordinated omission in it (it shows the latency each loop saw, not a fixed-rate schedule's).
 */
final class EchoLoad implements AutoCloseable {

    private final Selector selector;
    private final List<Conn> conns = new ArrayList<>();
    private Histogram histogram = new Histogram(3_600_000_000_000L, 3);
    private long messages;

    private final class Conn {
        final SocketChannel ch;
        final ByteBuffer out;
        final ByteBuffer in;
        SelectionKey key;
        long sentAt;

        Conn(SocketChannel ch, int size) {
            this.ch = ch;
            out = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < size; i++) {
                out.put(i, (byte) i);
            }
            in = ByteBuffer.allocateDirect(size);
        }

        void send() throws IOException {
            out.clear();
            in.clear();
            sentAt = System.nanoTime();
            ch.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        void ready(SelectionKey k) throws IOException {
            if (k.isWritable()) {
                ch.write(out);
                if (!out.hasRemaining()) {
                    k.interestOps(SelectionKey.OP_READ);
                }
            }
            if (k.isReadable()) {
                int n = ch.read(in);
                if (n < 0) {
                    throw new IOException("the server closed a connection");
                }
                if (!in.hasRemaining()) {
                    histogram.recordValue(System.nanoTime() - sentAt);
                    messages++;
                    send();
                }
            }
        }
    }

    EchoLoad(InetSocketAddress server, int connections, int size) throws IOException {
        selector = Selector.open();
        try {
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open(server);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                Conn c = new Conn(ch, size);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                conns.add(c);
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** Starts every loop. */
    void start() throws IOException {
        for (Conn c : conns) {
            c.send();
        }
    }

    /** Runs the loops until {@code deadline} (System.nanoTime). */
    void runUntil(long deadline) throws IOException {
        IOException[] failure = new IOException[1];
        while (System.nanoTime() < deadline) {
            selector.select(k -> {
                try {
                    ((Conn) k.attachment()).ready(k);
                } catch (IOException e) {
                    failure[0] = e;
                }
            }, 50);
            if (failure[0] != null) {
                throw failure[0];
            }
        }
    }

    /** Starts a new window: a fresh histogram and message count. */
    void reset() {
        histogram = new Histogram(3_600_000_000_000L, 3);
        messages = 0;
    }

    Histogram histogram() {
        return histogram;
    }

    long messages() {
        return messages;
    }

    @Override
    public void close() throws IOException {
        for (Conn c : conns) {
            c.ch.close();
        }
        selector.close();
    }
}
