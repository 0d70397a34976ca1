package dev.proactor.nio2;

import static dev.proactor.nio2.Nio2Fixture.WAIT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Bytes arrive whole and in order: 8 MiB each way at once over one connection, the same through
 * gather writes and scatter reads, and 200 connections echoing at once. On the JDK's provider and
 * on this one on each backend.
 */
class TransferContractTest {

    private static final int SIZE = 8 << 20;

    private static byte[] pattern(long seed) {
        byte[] b = new byte[SIZE];
        new Random(seed).nextBytes(b);
        return b;
    }

    @EachProvider
    void eightMebibytesEachWayAtOnceArriveByteExact(Side side) throws Exception {
        // A thread per direction: the common pool may have a single thread on a small machine.
        try (Nio2Fixture f = new Nio2Fixture(side); var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            byte[] there = pattern(1);
            byte[] back = pattern(2);
            CompletableFuture<Void> sendThere = CompletableFuture.runAsync(() -> write(p[0], ByteBuffer.wrap(there)), threads);
            CompletableFuture<Void> sendBack = CompletableFuture.runAsync(() -> write(p[1], ByteBuffer.allocateDirect(SIZE).put(back).flip()), threads);
            ByteBuffer gotThere = ByteBuffer.allocateDirect(SIZE);
            CompletableFuture<Void> readThere = CompletableFuture.runAsync(() -> read(p[1], gotThere), threads);
            ByteBuffer gotBack = ByteBuffer.allocate(SIZE);
            read(p[0], gotBack);
            readThere.get(WAIT_SECONDS, TimeUnit.SECONDS);
            sendThere.get(WAIT_SECONDS, TimeUnit.SECONDS);
            sendBack.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(gotBack.array()).isEqualTo(back);
            byte[] t = new byte[SIZE];
            gotThere.flip().get(t);
            assertThat(t).isEqualTo(there);
        }
    }

    @EachProvider
    void gatherWritesAndScatterReadsCarryEightMebibytesByteExact(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side); var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            AsynchronousSocketChannel[] p = f.pair(f.listening());
            byte[] data = pattern(3);
            ByteBuffer[] srcs = slices(ByteBuffer.wrap(data), 7);
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                long total = 0;
                while (total < SIZE) {
                    total += awaitLong(h -> p[0].write(srcs, 0, srcs.length, 0, TimeUnit.SECONDS, null, h));
                }
            }, threads);
            ByteBuffer got = ByteBuffer.allocateDirect(SIZE);
            ByteBuffer[] dsts = slices(got, 5);
            long total = 0;
            while (total < SIZE) {
                long n = awaitLong(h -> p[1].read(dsts, 0, dsts.length, 0, TimeUnit.SECONDS, null, h));
                assertThat(n).isPositive();
                total += n;
            }
            sent.get(WAIT_SECONDS, TimeUnit.SECONDS);
            byte[] b = new byte[SIZE];
            got.get(b);
            assertThat(b).isEqualTo(data);
        }
    }

    /** {@code whole} cut into {@code n} buffers of uneven length. */
    private static ByteBuffer[] slices(ByteBuffer whole, int n) {
        ByteBuffer[] out = new ByteBuffer[n];
        int at = 0;
        for (int i = 0; i < n; i++) {
            int len = i == n - 1 ? whole.capacity() - at : whole.capacity() / n + (i % 2 == 0 ? 13 : -13);
            out[i] = whole.slice(at, len);
            at += len;
        }
        return out;
    }

    private static long awaitLong(java.util.function.Consumer<CompletionHandler<Long, Object>> start) {
        CompletableFuture<Long> r = new CompletableFuture<>();
        start.accept(new CompletionHandler<>() {
            @Override
            public void completed(Long result, Object a) {
                r.complete(result);
            }

            @Override
            public void failed(Throwable exc, Object a) {
                r.completeExceptionally(exc);
            }
        });
        return r.orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
    }

    private static void write(AsynchronousSocketChannel ch, ByteBuffer src) {
        try {
            Nio2Fixture.writeFully(ch, src);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void read(AsynchronousSocketChannel ch, ByteBuffer dst) {
        try {
            Nio2Fixture.readFully(ch, dst);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @EachProvider
    void twoHundredConnectionsEchoAtOnce(Side side) throws Exception {
        int connections = 200;
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousServerSocketChannel server = f.listening();
            server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Object>() {
                @Override
                public void completed(AsynchronousSocketChannel ch, Object a) {
                    f.track(ch);
                    server.accept(null, this);
                    echo(ch, ByteBuffer.allocate(64));
                }

                @Override
                public void failed(Throwable exc, Object a) {
                    // The listener's close at the end of the test ends the accept loop.
                }
            });
            List<AsynchronousSocketChannel> clients = new ArrayList<>();
            List<Future<Void>> connects = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                AsynchronousSocketChannel c = f.socket();
                clients.add(c);
                connects.add(c.connect(server.getLocalAddress()));
            }
            for (Future<Void> c : connects) {
                c.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            List<Future<Integer>> writes = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                writes.add(clients.get(i).write(ByteBuffer.wrap(("client " + i + ";").getBytes())));
            }
            for (Future<Integer> w : writes) {
                w.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            for (int i = 0; i < connections; i++) {
                byte[] expected = ("client " + i + ";").getBytes();
                ByteBuffer got = ByteBuffer.allocate(expected.length);
                Nio2Fixture.readFully(clients.get(i), got);
                assertThat(got.array()).isEqualTo(expected);
            }
        }
    }

    /** Writes back what arrives, until end of stream or failure. */
    private static void echo(AsynchronousSocketChannel ch, ByteBuffer buf) {
        ch.read(buf, 0, TimeUnit.SECONDS, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object a) {
                if (n < 0) {
                    return;
                }
                buf.flip();
                ch.write(buf, 0, TimeUnit.SECONDS, null, new CompletionHandler<Integer, Object>() {
                    @Override
                    public void completed(Integer w, Object a2) {
                        if (buf.hasRemaining()) {
                            ch.write(buf, 0, TimeUnit.SECONDS, null, this);
                        } else {
                            buf.clear();
                            echo(ch, buf);
                        }
                    }

                    @Override
                    public void failed(Throwable exc, Object a2) {
                        // The test's close ends the echo.
                    }
                });
            }

            @Override
            public void failed(Throwable exc, Object a) {
                // The test's close ends the echo.
            }
        });
    }
}
