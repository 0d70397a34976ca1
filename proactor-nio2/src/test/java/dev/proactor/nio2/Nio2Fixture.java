package dev.proactor.nio2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.Channel;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One test's provider, group and channels. {@link #close()} shuts the group down now and asserts
 * that it terminates, which for this provider means its proactor closed with nothing pending and
 * its threads ended: a leaked channel or operation fails the test.
 */
final class Nio2Fixture implements AutoCloseable {

    /** The prefix of the group's handler threads' names. */
    static final String THREAD_PREFIX = "nio2-test-handler-";

    /** How long a test waits for an outcome that must come: it only stops a hung run. */
    static final long WAIT_SECONDS = 30;

    final Side side;
    final AsynchronousChannelProvider provider;
    final AsynchronousChannelGroup group;
    private final List<Channel> channels = new ArrayList<>();

    Nio2Fixture(Side side) throws IOException {
        this(side, 2);
    }

    /** With a group of {@code threads} handler threads. */
    Nio2Fixture(Side side, int threads) throws IOException {
        this.side = side;
        this.provider = side.provider();
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, THREAD_PREFIX + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.group = provider.openAsynchronousChannelGroup(threads, factory);
    }

    AsynchronousSocketChannel socket() throws IOException {
        return track(provider.openAsynchronousSocketChannel(group));
    }

    AsynchronousServerSocketChannel server() throws IOException {
        return track(provider.openAsynchronousServerSocketChannel(group));
    }

    /** A server bound to the loopback address on a free port. */
    AsynchronousServerSocketChannel listening() throws IOException {
        AsynchronousServerSocketChannel s = server();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return s;
    }

    /** A connected pair: [0] the client, [1] the accepted end. */
    AsynchronousSocketChannel[] pair(AsynchronousServerSocketChannel server) throws Exception {
        AsynchronousSocketChannel client = socket();
        var accepted = server.accept();
        client.connect(server.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
        return new AsynchronousSocketChannel[] {client, track(accepted.get(WAIT_SECONDS, TimeUnit.SECONDS))};
    }

    <C extends Channel> C track(C channel) {
        synchronized (channels) {
            channels.add(channel);
        }
        return channel;
    }

    /** What a test runs on the handler thread of one accept ({@link #acceptOnce}). */
    interface OnAccepted<T> {
        T apply(AsynchronousSocketChannel accepted) throws Exception;
    }

    /**
     * Accepts one connection with the handler form and runs {@code onAccepted} in the handler; the
     * future holds what it returned or threw, or the accept's failure. The accepted channel is tracked.
     */
    <T> java.util.concurrent.CompletableFuture<T> acceptOnce(AsynchronousServerSocketChannel server,
            OnAccepted<T> onAccepted) {
        java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
        server.accept(null, new java.nio.channels.CompletionHandler<AsynchronousSocketChannel, Object>() {
            @Override
            public void completed(AsynchronousSocketChannel ch, Object a) {
                track(ch);
                try {
                    result.complete(onAccepted.apply(ch));
                } catch (Exception | Error e) {
                    result.completeExceptionally(e);
                }
            }

            @Override
            public void failed(Throwable exc, Object a) {
                result.completeExceptionally(exc);
            }
        });
        return result;
    }

    /** Writes all of {@code src}, one write at a time, as NIO.2 code must. */
    static void writeFully(AsynchronousSocketChannel ch, ByteBuffer src) throws Exception {
        while (src.hasRemaining()) {
            ch.write(src).get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Reads until {@code dst} is full; fails at end of stream. */
    static void readFully(AsynchronousSocketChannel ch, ByteBuffer dst) throws Exception {
        while (dst.hasRemaining()) {
            int n = ch.read(dst).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(n).as("end of stream with %d bytes to go", dst.remaining()).isNotNegative();
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (channels) {
            for (Channel c : channels) {
                c.close();
            }
        }
        group.shutdownNow();
        boolean terminated;
        try {
            terminated = group.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the group's termination", e);
        }
        assertThat(terminated).as("group terminated").isTrue();
        assertThat(group.isTerminated()).isTrue();
    }
}
