package dev.proactor.nio2;

import static dev.proactor.nio2.Nio2Fixture.WAIT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.IllegalChannelGroupException;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code AsynchronousChannelGroup}'s contract: shutdown refuses new channels and terminates the
 * group once its last channel is closed, shutdownNow closes the channels (their pending operations
 * fail with AsynchronousCloseException), awaitTermination; handlers on the group's threads, with
 * bounded direct invocation. On the JDK's provider and on this one on each backend.
 */
class GroupContractTest {

    @EachProvider
    void shutdownRefusesNewChannelsAndTerminatesOnceTheLastChannelIsClosed(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel open = f.socket();
            f.group.shutdown();
            assertThat(f.group.isShutdown()).isTrue();
            assertThatThrownBy(() -> f.provider.openAsynchronousSocketChannel(f.group))
                    .isInstanceOf(ShutdownChannelGroupException.class);
            assertThatThrownBy(() -> f.provider.openAsynchronousServerSocketChannel(f.group))
                    .isInstanceOf(ShutdownChannelGroupException.class);
            assertThat(f.group.awaitTermination(0, TimeUnit.SECONDS)).isFalse();
            assertThat(f.group.isTerminated()).isFalse();
            open.close();
            assertThat(f.group.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(f.group.isTerminated()).isTrue();
        }
    }

    @EachProvider
    void shutdownNowClosesTheChannelsAndFailsTheirPendingOperations(Side side) throws Exception {
        // The peers live in a group of their own, so that closing them cannot end the read first.
        try (Nio2Fixture peers = new Nio2Fixture(side); Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousServerSocketChannel server = f.listening();
            AsynchronousServerSocketChannel peerServer = peers.listening();
            var peerAccept = peerServer.accept();
            AsynchronousSocketChannel client = f.socket();
            client.connect(peerServer.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
            AsynchronousSocketChannel[] p = {client, peers.track(peerAccept.get(WAIT_SECONDS, TimeUnit.SECONDS))};
            CompletableFuture<Integer> read = new CompletableFuture<>();
            p[0].read(ByteBuffer.allocate(8), 0, TimeUnit.SECONDS, null, into(read));
            CompletableFuture<AsynchronousSocketChannel> accept = new CompletableFuture<>();
            server.accept(null, into(accept));
            f.group.shutdownNow();
            assertThatThrownBy(() -> read.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(AsynchronousCloseException.class);
            assertThatThrownBy(() -> accept.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(AsynchronousCloseException.class);
            assertThat(f.group.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(p[0].isOpen()).isFalse();
            assertThat(p[1].isOpen()).as("a channel of another group").isTrue();
            assertThat(server.isOpen()).isFalse();
        }
    }

    @EachProvider
    void aGroupOnAnExecutorRunsHandlersOnItAndShutsItDownAtTermination(Side side) throws Exception {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> new Thread(r, "given-pool-" + n.incrementAndGet()));
        AsynchronousChannelGroup group = side.provider().openAsynchronousChannelGroup(pool, 1);
        try (AsynchronousServerSocketChannel server = side.provider().openAsynchronousServerSocketChannel(group)) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<String> thread = new CompletableFuture<>();
            server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Object>() {
                @Override
                public void completed(AsynchronousSocketChannel ch, Object a) {
                    thread.complete(Thread.currentThread().getName());
                    try {
                        ch.close();
                    } catch (java.io.IOException e) {
                        thread.completeExceptionally(e);
                    }
                }

                @Override
                public void failed(Throwable exc, Object a) {
                    thread.completeExceptionally(exc);
                }
            });
            try (AsynchronousSocketChannel client = side.provider().openAsynchronousSocketChannel(group)) {
                client.connect(server.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertThat(thread.get(WAIT_SECONDS, TimeUnit.SECONDS)).startsWith("given-pool-");
            }
        }
        group.shutdown();
        assertThat(group.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.isShutdown()).isTrue();
    }

    /**
     * A handler on a group of one thread makes calls that wait for the proactor (a live option
     * set and read, a write's Future): each must end although the one thread that could run the
     * delivery is the one waiting (proactor-nio2's waits help; the JDK makes these calls at once).
     * Several accepts in a row, each handler waiting, as an echo server that sets TCP_NODELAY does.
     */
    @EachProvider
    void aHandlerOnAGroupOfOneThreadMayWaitOnLiveOptionsAndAFuture(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side, 1)) {
            AsynchronousServerSocketChannel server = f.listening();
            int connections = 4;
            java.util.List<CompletableFuture<Boolean>> served = new java.util.ArrayList<>();
            for (int i = 0; i < connections; i++) {
                served.add(new CompletableFuture<>());
            }
            server.accept(0, new CompletionHandler<AsynchronousSocketChannel, Integer>() {
                @Override
                public void completed(AsynchronousSocketChannel ch, Integer i) {
                    try {
                        f.track(ch);
                        ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                        boolean noDelay = ch.getOption(java.net.StandardSocketOptions.TCP_NODELAY);
                        int wrote = ch.write(ByteBuffer.wrap(new byte[] {i.byteValue()})).get(WAIT_SECONDS, TimeUnit.SECONDS);
                        served.get(i).complete(noDelay && wrote == 1);
                        if (i + 1 < connections) {
                            server.accept(i + 1, this);
                        }
                    } catch (Exception e) {
                        served.get(i).completeExceptionally(e);
                    }
                }

                @Override
                public void failed(Throwable exc, Integer i) {
                    served.get(i).completeExceptionally(exc);
                }
            });
            for (int i = 0; i < connections; i++) {
                AsynchronousSocketChannel client = f.socket();
                client.connect(server.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
                ByteBuffer one = ByteBuffer.allocate(1);
                Nio2Fixture.readFully(client, one);
                assertThat(one.get(0)).isEqualTo((byte) i);
                assertThat(served.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /**
     * {@code bind} from a handler on the only thread of its group: the bind's own outcome needs no
     * thread of the group (proactor-nio2 awaited the listen's delivery on that very thread once, a
     * deadlock). The channel it bound then accepts a connection.
     */
    @EachProvider
    void aHandlerOnAGroupOfOneThreadMayBindAServer(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side, 1)) {
            AsynchronousServerSocketChannel first = f.listening();
            CompletableFuture<String> handlerThread = new CompletableFuture<>();
            CompletableFuture<AsynchronousServerSocketChannel> bound = f.acceptOnce(first, ch -> {
                handlerThread.complete(Thread.currentThread().getName());
                AsynchronousServerSocketChannel second = f.server();
                second.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                return second;
            });
            f.socket().connect(first.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(handlerThread.get(WAIT_SECONDS, TimeUnit.SECONDS)).startsWith(Nio2Fixture.THREAD_PREFIX);
            AsynchronousServerSocketChannel second = bound.get(WAIT_SECONDS, TimeUnit.SECONDS);
            var accepted = second.accept();
            f.socket().connect(second.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
            f.track(accepted.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
    }

    /**
     * {@code close} from a handler on the only thread of its group returns, and the peer sees the
     * end of the stream (proactor-nio2 once waited there for the close's delivery, queued to that
     * very thread).
     */
    @EachProvider
    void aHandlerOnAGroupOfOneThreadMayCloseAChannel(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side, 1)) {
            AsynchronousServerSocketChannel server = f.listening();
            CompletableFuture<Boolean> closed = f.acceptOnce(server, ch -> {
                ch.close();
                return !ch.isOpen();
            });
            AsynchronousSocketChannel client = f.socket();
            client.connect(server.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(client.read(ByteBuffer.allocate(1)).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    /**
     * A flood of completions on a group of a caller's cached pool, initial size 1: proactor-nio2
     * serves it on that one loop (the pool adds threads only while every one is blocked), where a
     * pool handed each completion alone added threads whenever none was idle at that instant.
     * Not a JDK contract (its internal threads hand events to the pool as they come), so only on
     * this provider's backends.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = Side.class, names = {"PROACTOR_IO_URING", "PROACTOR_PORTABLE"})
    void aFloodOfCompletionsIsServedWithoutAddingThreads(Side side) throws Exception {
        AtomicInteger made = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "flood-pool-" + made.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AsynchronousChannelGroup group = side.provider().openAsynchronousChannelGroup(pool, 1);
        int connections = 8;
        int rounds = 2000;
        java.util.List<AsynchronousSocketChannel> open = new java.util.ArrayList<>();
        try (AsynchronousServerSocketChannel server = side.provider().openAsynchronousServerSocketChannel(group)) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CountDownLatch finished = new CountDownLatch(connections);
            java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int c = 0; c < connections; c++) {
                var accepted = server.accept();
                AsynchronousSocketChannel client = side.provider().openAsynchronousSocketChannel(group);
                open.add(client);
                client.connect(server.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
                AsynchronousSocketChannel end = accepted.get(WAIT_SECONDS, TimeUnit.SECONDS);
                open.add(end);
                PingPong.start(client, end, rounds, finished, failures);
            }
            assertThat(finished.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(failures).isEmpty();
            assertThat(made).as("the executor's threads after %d round trips", connections * rounds).hasValue(1);
        } finally {
            for (AsynchronousSocketChannel ch : open) {
                ch.close();
            }
        }
        group.shutdown();
        assertThat(group.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * One byte from {@code a} to {@code b} and back, {@code rounds} times, each step a handler that
     * starts the next: a's write, b's read, b's write, a's read.
     */
    private static final class PingPong implements CompletionHandler<Integer, Integer> {
        private final AsynchronousSocketChannel a;
        private final AsynchronousSocketChannel b;
        private final CountDownLatch finished;
        private final java.util.Queue<Throwable> failures;
        private final ByteBuffer buf = ByteBuffer.allocate(1);

        private PingPong(AsynchronousSocketChannel a, AsynchronousSocketChannel b, CountDownLatch finished,
                java.util.Queue<Throwable> failures) {
            this.a = a;
            this.b = b;
            this.finished = finished;
            this.failures = failures;
        }

        static void start(AsynchronousSocketChannel a, AsynchronousSocketChannel b, int rounds, CountDownLatch finished,
                java.util.Queue<Throwable> failures) {
            PingPong p = new PingPong(a, b, finished, failures);
            p.buf.clear();
            a.write(p.buf, 4 * rounds - 1, p);
        }

        /** {@code step} counts down to 0; {@code step % 4} says which of the four just ended. */
        @Override
        public void completed(Integer n, Integer step) {
            if (step == 0) {
                finished.countDown();
                return;
            }
            buf.clear();
            switch (step % 4) {
                case 3 -> b.read(buf, step - 1, this);
                case 2 -> b.write(buf, step - 1, this);
                case 1 -> a.read(buf, step - 1, this);
                default -> a.write(buf, step - 1, this);
            }
        }

        @Override
        public void failed(Throwable exc, Integer step) {
            failures.add(exc);
            finished.countDown();
        }
    }

    @EachProvider
    void aChannelOfAnotherProvidersGroupIsRefused(Side side) throws Exception {
        Side other = side == Side.JDK ? Side.PROACTOR_PORTABLE : Side.JDK;
        try (Nio2Fixture f = new Nio2Fixture(other)) {
            assertThatThrownBy(() -> side.provider().openAsynchronousSocketChannel(f.group))
                    .isInstanceOf(IllegalChannelGroupException.class);
        }
    }

    @EachProvider
    void badGroupArgumentsAreRefused(Side side) {
        assertThatThrownBy(() -> side.provider().openAsynchronousChannelGroup(0, Executors.defaultThreadFactory()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> side.provider().openAsynchronousChannelGroup(null, 0))
                .isInstanceOf(NullPointerException.class);
    }

    /**
     * A handler that initiates an operation failing at once (a read on a closed channel) nests
     * the next handler inside itself on a group thread; the nesting is bounded (the JDK's bound is
     * 16), so a chain of 5000 such reads neither overflows the stack nor loses a handler.
     */
    @EachProvider
    void directInvocationOfHandlersIsBounded(Side side) throws Exception {
        try (Nio2Fixture f = new Nio2Fixture(side)) {
            AsynchronousSocketChannel closed = f.socket();
            closed.close();
            int chain = 5000;
            AtomicInteger calls = new AtomicInteger();
            ThreadLocal<int[]> nesting = ThreadLocal.withInitial(() -> new int[1]);
            AtomicInteger deepest = new AtomicInteger();
            CompletableFuture<Void> done = new CompletableFuture<>();
            ByteBuffer dst = ByteBuffer.allocate(1);
            CompletionHandler<Integer, Object> handler = new CompletionHandler<>() {
                @Override
                public void completed(Integer result, Object a) {
                    done.completeExceptionally(new AssertionError("read on a closed channel completed"));
                }

                @Override
                public void failed(Throwable exc, Object a) {
                    int[] depth = nesting.get();
                    depth[0]++;
                    try {
                        deepest.accumulateAndGet(depth[0], Math::max);
                        if (!(exc instanceof ClosedChannelException)) {
                            done.completeExceptionally(exc);
                        } else if (calls.incrementAndGet() == chain) {
                            done.complete(null);
                        } else {
                            closed.read(dst, 0, TimeUnit.SECONDS, null, this);
                        }
                    } finally {
                        depth[0]--;
                    }
                }
            };
            closed.read(dst, 0, TimeUnit.SECONDS, null, handler);
            done.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(calls).hasValue(chain);
            assertThat(deepest.get()).isBetween(2, HandlerInvoker.MAX_DIRECT_DEPTH + 1);
        }
    }

    private static <V> CompletionHandler<V, Object> into(CompletableFuture<V> into) {
        return new CompletionHandler<>() {
            @Override
            public void completed(V result, Object a) {
                into.complete(result);
            }

            @Override
            public void failed(Throwable exc, Object a) {
                into.completeExceptionally(exc);
            }
        };
    }

    @Test
    void theDefaultGroupServesChannelsOpenedWithoutOneAndSaysItsBackend() throws Exception {
        ProactorChannelProvider provider = new ProactorChannelProvider(dev.proactor.BackendChoice.PORTABLE);
        assertThat(provider.backendName()).isEqualTo("portable");
        try (AsynchronousServerSocketChannel server = provider.openAsynchronousServerSocketChannel(null)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                AsynchronousSocketChannel client = provider.openAsynchronousSocketChannel(null)) {
            var accepted = server.accept();
            client.connect(server.getLocalAddress()).get(WAIT_SECONDS, TimeUnit.SECONDS);
            accepted.get(WAIT_SECONDS, TimeUnit.SECONDS).close();
        }
        assertThat(new ProactorChannelProvider(dev.proactor.BackendChoice.IO_URING).backendName()).isEqualTo("io_uring");
    }
}
